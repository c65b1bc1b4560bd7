// The one translation table of the UI: every visible string comes from here, Vietnamese (with full
// diacritics, the default) first, then English. Elements in index.html name their key with
// data-i18n (text), data-i18n-placeholder, data-i18n-title or data-i18n-aria-label; code calls t().

export const LANGS = ['vi', 'en'];

const TABLE = {
  'app.title': { vi: 'clusterplan · Quy hoạch cụm công nghiệp', en: 'clusterplan · Industrial cluster planning' },
  'lang.switch': { vi: 'English', en: 'Tiếng Việt' },
  'lang.switch_label': { vi: 'Chuyển sang tiếng Anh', en: 'Switch to Vietnamese' },
  'map.label': { vi: 'Bản đồ quy hoạch', en: 'Planning map' },
  'map.zoom_in': { vi: 'Phóng to', en: 'Zoom in' },
  'map.zoom_out': { vi: 'Thu nhỏ', en: 'Zoom out' },
  'map.loading': { vi: 'Đang tải dữ liệu…', en: 'Loading data…' },
  'map.load_failed': { vi: 'Không tải được dữ liệu: {detail}', en: 'Could not load data: {detail}' },
  'map.basemap_offline': { vi: 'Không tải được bản đồ nền (ngoại tuyến?). Các lớp vẫn hiển thị.', en: 'The basemap could not be loaded (offline?). All layers are still shown.' },

  'layers.title': { vi: 'Lớp bản đồ', en: 'Map layers' },
  'layers.basemap': { vi: 'Bản đồ nền', en: 'Basemap' },
  'layers.clusters': { vi: 'Cụm công nghiệp và khu công nghiệp', en: 'Industrial clusters and parks' },
  'legend.status': { vi: 'Tình trạng', en: 'Status' },
  'legend.kind': { vi: 'Loại', en: 'Kind' },
  'legend.count': { vi: '{n} đối tượng', en: '{n} features' },

  'kind.cluster': { vi: 'Cụm công nghiệp (CCN)', en: 'Industrial cluster (CCN)' },
  'kind.industrial_park': { vi: 'Khu công nghiệp (KCN)', en: 'Industrial park (KCN)' },

  'status.in_plan': { vi: 'Trong danh mục / phương án', en: 'In plan' },
  'status.established': { vi: 'Đã thành lập', en: 'Established' },
  'status.infrastructure': { vi: 'Đang đầu tư hạ tầng', en: 'Infrastructure under construction' },
  'status.operating': { vi: 'Đang hoạt động', en: 'Operating' },
  'status.expanded': { vi: 'Mở rộng', en: 'Expanded' },
  'status.removed': { vi: 'Đưa ra khỏi quy hoạch', en: 'Removed from plan' },
  'status.revoked': { vi: 'Bãi bỏ quyết định thành lập', en: 'Establishment revoked' },

  'search.label': { vi: 'Tìm cụm theo tên hoặc mã', en: 'Search clusters by name or code' },
  'search.placeholder': { vi: 'Tìm cụm, khu công nghiệp…', en: 'Search clusters, parks…' },
  'search.none': { vi: 'Không tìm thấy', en: 'No match' },

  'panel.close': { vi: 'Đóng', en: 'Close' },
  'panel.close_label': { vi: 'Đóng bảng thông tin', en: 'Close the side panel' },
  'field.name': { vi: 'Tên', en: 'Name' },
  'field.code': { vi: 'Mã', en: 'Code' },
  'field.kind': { vi: 'Loại', en: 'Kind' },
  'field.status': { vi: 'Tình trạng', en: 'Status' },
  'field.area': { vi: 'Diện tích (VN-2000)', en: 'Area (VN-2000)' },
  'field.geodesic_area': { vi: 'Diện tích trắc địa', en: 'Geodesic area' },
  'field.planned_area': { vi: 'Diện tích quy hoạch', en: 'Planned area' },
  'field.planned_area_ha': { vi: 'Diện tích quy hoạch (ha)', en: 'Planned area (ha)' },
  'field.notes': { vi: 'Ghi chú', en: 'Notes' },
  'field.version': { vi: 'Phiên bản', en: 'Version' },
  'field.updated': { vi: 'Cập nhật', en: 'Updated' },
  'field.crs': { vi: 'Hệ toạ độ tính diện tích', en: 'Area computed in' },
  'value.none': { vi: '—', en: '—' },
  'value.ha': { vi: '{n} ha', en: '{n} ha' },
  'value.version': { vi: '{v} · {date}', en: '{v} · {date}' },

  'edit.draw_new': { vi: 'Vẽ cụm mới', en: 'Draw new cluster' },
  'edit.edit': { vi: 'Sửa', en: 'Edit' },
  'edit.delete': { vi: 'Xoá', en: 'Delete' },
  'edit.title_new': { vi: 'Cụm mới', en: 'New cluster' },
  'edit.title_edit': { vi: 'Sửa «{name}»', en: 'Editing “{name}”' },
  'edit.hint_draw': { vi: 'Nhấp lên bản đồ để đặt các đỉnh; nhấp lại đỉnh đầu tiên để khép vùng. Esc để dừng.', en: 'Click on the map to place vertices; click the first vertex again to close the shape. Esc stops.' },
  'edit.hint_edit': { vi: 'Kéo các đỉnh để sửa ranh giới (bắt dính bật); nhấp điểm giữa cạnh để thêm đỉnh, nhấp chuột phải vào đỉnh để xoá.', en: 'Drag vertices to change the boundary (snapping on); click a mid-point to add a vertex, right-click a vertex to remove it.' },
  'edit.hint_drag': { vi: 'Kéo vùng để di chuyển cả ranh giới.', en: 'Drag the shape to move the whole boundary.' },
  'edit.hint_cut': { vi: 'Vẽ vùng cần cắt bỏ (tạo lỗ) bên trong ranh giới; nhấp đỉnh đầu để kết thúc.', en: 'Draw the area to cut out (a hole) inside the boundary; click the first vertex to finish.' },
  'edit.hint_add': { vi: 'Vẽ thêm một vùng rời (đa vùng).', en: 'Draw one more separate part (multipolygon).' },
  'edit.geometry': { vi: 'Ranh giới', en: 'Boundary' },
  'edit.tools': { vi: 'Công cụ vẽ', en: 'Drawing tools' },
  'edit.tool_vertices': { vi: 'Sửa đỉnh', en: 'Edit vertices' },
  'edit.tool_drag': { vi: 'Di chuyển', en: 'Move' },
  'edit.tool_cut': { vi: 'Cắt lỗ', en: 'Cut a hole' },
  'edit.tool_add': { vi: 'Thêm vùng', en: 'Add a part' },
  'edit.tool_draw': { vi: 'Vẽ ranh giới', en: 'Draw boundary' },
  'edit.undo': { vi: 'Hoàn tác', en: 'Undo' },
  'edit.undo_label': { vi: 'Hoàn tác thay đổi ranh giới gần nhất', en: 'Undo the last boundary change' },
  'edit.save': { vi: 'Lưu', en: 'Save' },
  'edit.saving': { vi: 'Đang lưu…', en: 'Saving…' },
  'edit.cancel': { vi: 'Huỷ', en: 'Cancel' },
  'edit.live_area': { vi: 'Diện tích ước tính: {n} ha', en: 'Estimated area: {n} ha' },
  'edit.live_area_note': { vi: 'Tính gần đúng trên trình duyệt; diện tích chính thức do máy chủ tính theo VN-2000 khi lưu.', en: 'Approximate, computed in the browser; the official area is computed by the server in VN-2000 on save.' },
  'edit.parts': { vi: '{parts} vùng, {holes} lỗ', en: '{parts} part(s), {holes} hole(s)' },
  'edit.no_geometry': { vi: 'Chưa có ranh giới: hãy vẽ trên bản đồ.', en: 'No boundary yet: draw it on the map.' },
  'edit.choose': { vi: '— chọn —', en: '— choose —' },
  'edit.required': { vi: 'Bắt buộc', en: 'Required' },
  'edit.saved': { vi: 'Đã lưu «{name}» (phiên bản {v}).', en: 'Saved “{name}” (version {v}).' },
  'edit.deleted': { vi: 'Đã xoá «{name}».', en: 'Deleted “{name}”.' },
  'edit.discard_confirm': { vi: 'Bỏ các thay đổi chưa lưu?', en: 'Discard unsaved changes?' },
  'edit.busy': { vi: 'Hãy lưu hoặc huỷ thao tác đang sửa trước.', en: 'Save or cancel the current edit first.' },
  'edit.invalid_number': { vi: 'Phải là một số không âm', en: 'Must be a non-negative number' },

  'account.name': { vi: 'Tên đăng nhập', en: 'User name' },
  'account.password': { vi: 'Mật khẩu', en: 'Password' },
  'account.login': { vi: 'Đăng nhập', en: 'Log in' },
  'account.logout': { vi: 'Đăng xuất', en: 'Log out' },
  'account.failed': { vi: 'Đăng nhập không thành công: {detail}', en: 'Login failed: {detail}' },
  'account.who': { vi: '{name} ({role})', en: '{name} ({role})' },
  'role.admin': { vi: 'quản trị', en: 'admin' },
  'role.planner': { vi: 'người lập quy hoạch', en: 'planner' },
  'role.officer': { vi: 'cán bộ địa phương', en: 'unit officer' },
  'role.viewer': { vi: 'chỉ xem', en: 'viewer' },
  'history.title': { vi: 'Lịch sử phiên bản', en: 'Version history' },
  'history.show': { vi: 'Xem lịch sử', en: 'Show history' },
  'history.slider': { vi: 'Phiên bản hiển thị', en: 'Version shown' },
  'history.entry': { vi: 'Phiên bản {v} · {op} · {author} · {date}', en: 'Version {v} · {op} · {author} · {date}' },
  'history.op.create': { vi: 'tạo mới', en: 'created' },
  'history.op.update': { vi: 'sửa', en: 'changed' },
  'history.op.delete': { vi: 'xoá', en: 'deleted' },
  'history.reason': { vi: 'Lý do: {reason}', en: 'Reason: {reason}' },
  'history.legal_act': { vi: 'Văn bản: {act}', en: 'Legal act: {act}' },
  'history.unknown_author': { vi: 'không rõ', en: 'unknown' },

  'delete.confirm': { vi: 'Xoá vĩnh viễn «{name}»? Không thể hoàn tác.', en: 'Delete “{name}” for good? This cannot be undone.' },
  'delete.yes': { vi: 'Xoá', en: 'Delete' },
  'delete.no': { vi: 'Không xoá', en: 'Keep it' },

  'error.problems_title': { vi: 'Ranh giới chưa hợp lệ ({n} lỗi)', en: 'The boundary is not valid ({n} problem(s))' },
  'error.problems_hint': { vi: 'Bản vẽ vẫn được giữ: sửa lại rồi lưu lần nữa.', en: 'Your drawing is kept: fix it and save again.' },
  'error.fields_title': { vi: 'Vui lòng sửa các trường được đánh dấu.', en: 'Please correct the marked fields.' },
  'error.duplicate_code': { vi: 'Mã này đã được dùng cho một đối tượng khác.', en: 'This code is already used by another feature.' },
  'error.conflict_title': { vi: 'Một người lập quy hoạch khác vừa thay đổi đối tượng này.', en: 'Another planner changed this feature meanwhile.' },
  'error.conflict_body': { vi: 'Thay đổi của bạn chưa được lưu và không ghi đè lên bản của họ. Tải lại bản mới nhất (thay đổi của bạn sẽ bị bỏ) hoặc tiếp tục sửa.', en: 'Your changes were not saved and did not overwrite theirs. Reload the latest version (your changes are dropped) or keep editing.' },
  'error.conflict_reload': { vi: 'Tải lại bản mới nhất', en: 'Reload the latest version' },
  'error.conflict_keep': { vi: 'Tiếp tục sửa', en: 'Keep editing' },
  'error.gone': { vi: 'Đối tượng này không còn tồn tại (có thể đã bị xoá).', en: 'This feature no longer exists (it may have been deleted).' },
  'error.generic': { vi: 'Lỗi {status}: {detail}', en: 'Error {status}: {detail}' },
  'error.network': { vi: 'Không kết nối được máy chủ.', en: 'Could not reach the server.' },
  'error.location': { vi: 'vùng {polygon}, vòng {ring}, đỉnh {vertex}', en: 'part {polygon}, ring {ring}, vertex {vertex}' },
  'error.show_on_map': { vi: 'Xem trên bản đồ', en: 'Show on map' },

  // Codes of the server's geometry problems (422 `problems[].code`); unknown codes show the
  // server's own message.
  'problem.empty': { vi: 'Ranh giới rỗng', en: 'The boundary is empty' },
  'problem.bad_position': { vi: 'Toạ độ không đúng dạng [kinh độ, vĩ độ]', en: 'A position is not [longitude, latitude]' },
  'problem.non_finite_coordinate': { vi: 'Toạ độ không phải là số hữu hạn', en: 'A coordinate is not a finite number' },
  'problem.coordinate_out_of_range': { vi: 'Toạ độ nằm ngoài phạm vi kinh độ/vĩ độ', en: 'A coordinate is outside longitude/latitude range' },
  'problem.unclosed_ring': { vi: 'Vòng ranh giới chưa khép kín', en: 'A ring is not closed' },
  'problem.too_few_positions': { vi: 'Vòng ranh giới có quá ít đỉnh (cần ít nhất 3)', en: 'A ring has too few vertices (3 at least)' },
  'problem.too_many_vertices': { vi: 'Ranh giới có quá nhiều đỉnh', en: 'The boundary has too many vertices' },
  'problem.self_intersection': { vi: 'Ranh giới tự cắt nhau', en: 'The boundary crosses itself' },
  'problem.rings_intersect': { vi: 'Lỗ cắt ranh giới ngoài hoặc cắt lỗ khác', en: 'A hole crosses the outer boundary or another hole' },
  'problem.hole_outside_shell': { vi: 'Lỗ nằm ngoài ranh giới ngoài', en: 'A hole lies outside the outer boundary' },
  'problem.nested_holes': { vi: 'Lỗ nằm trong lỗ khác', en: 'A hole lies inside another hole' },
  'problem.interior_disconnected': { vi: 'Các lỗ chia cắt phần bên trong thành nhiều mảnh', en: 'Holes split the interior into pieces' },
  'problem.polygons_overlap': { vi: 'Các vùng của đa vùng chồng lên nhau', en: 'Parts of the multipolygon overlap' },
  'problem.nested_shells': { vi: 'Một vùng nằm trong vùng khác', en: 'One part lies inside another part' },
  'problem.zero_area': { vi: 'Diện tích bằng 0', en: 'The area is zero' },

  // Strings shown by Leaflet-Geoman while drawing (fed to map.pm.setLang).
  'pm.tooltips.firstVertex': { vi: 'Nhấp để đặt đỉnh đầu tiên', en: 'Click to place the first vertex' },
  'pm.tooltips.continueLine': { vi: 'Nhấp để vẽ tiếp', en: 'Click to continue drawing' },
  'pm.tooltips.finishLine': { vi: 'Nhấp một đỉnh đã có để kết thúc', en: 'Click any existing vertex to finish' },
  'pm.tooltips.finishPoly': { vi: 'Nhấp đỉnh đầu tiên để khép vùng', en: 'Click the first vertex to finish' },
  'pm.tooltips.finishRect': { vi: 'Nhấp để kết thúc', en: 'Click to finish' },
  'pm.actions.finish': { vi: 'Kết thúc', en: 'Finish' },
  'pm.actions.cancel': { vi: 'Huỷ', en: 'Cancel' },
  'pm.actions.removeLastVertex': { vi: 'Xoá đỉnh cuối', en: 'Remove last vertex' },
};

const listeners = new Set();
let current = 'vi';

/** Translate `key` in the current language, filling `{name}` placeholders from `params`. */
export function t(key, params = {}) {
  const entry = TABLE[key];
  if (!entry) {
    console.warn(`i18n: no entry for ${key}`);
    return key;
  }
  const text = entry[current] ?? entry.vi;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** True when the table has `key` (used to translate server problem codes when we know them). */
export function has(key) {
  return Object.hasOwn(TABLE, key);
}

export function lang() {
  return current;
}

/** BCP 47 locale for number and date formatting. */
export function locale() {
  return current === 'vi' ? 'vi-VN' : 'en-GB';
}

export function setLang(next) {
  if (!LANGS.includes(next)) return;
  current = next;
  try { localStorage.setItem('clusterplan.lang', next); } catch { /* private mode: keep in memory */ }
  document.documentElement.lang = next;
  translateDom(document);
  for (const fn of listeners) fn(next);
}

export function initialLang() {
  let stored = null;
  try { stored = localStorage.getItem('clusterplan.lang'); } catch { /* ignore */ }
  return LANGS.includes(stored) ? stored : 'vi';
}

/** Call `fn(lang)` after every language change; returns an unsubscribe function. */
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Fill every element under `root` that names an i18n key in a data attribute. */
export function translateDom(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
}

/** Geoman's translation object for the current language, built from the table above. */
export function geomanStrings() {
  const out = { tooltips: {}, actions: {} };
  for (const key of Object.keys(TABLE)) {
    const m = key.match(/^pm\.(tooltips|actions)\.(\w+)$/);
    if (m) out[m[1]][m[2]] = t(key);
  }
  return out;
}

export function formatNumber(n, digits = 2) {
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}

export function formatHa(n) {
  return n === null || n === undefined || Number.isNaN(n) ? t('value.none') : t('value.ha', { n: formatNumber(n) });
}

export function formatDate(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso ?? t('value.none');
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}
