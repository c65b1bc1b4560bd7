// The one translation table of the UI: every visible string comes from here, Vietnamese (with full
// diacritics, the default) first, then English. Elements in index.html name their key with
// data-i18n (text), data-i18n-placeholder, data-i18n-title or data-i18n-aria-label; code calls t().

export const LANGS = ['vi', 'en'];

const TABLE = {
  'app.subtitle': { vi: 'Quy hoạch cụm công nghiệp', en: 'Industrial cluster planning' },
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
  'layers.units': { vi: 'Ranh giới xã (tham chiếu)', en: 'Commune boundaries (reference)' },
  'layers.investors': { vi: 'Nhà đầu tư (trên lô đất thuê)', en: 'Investors (on their leased plots)' },
  'layers.designations': { vi: 'Làng nghề và xã điểm', en: 'Craft villages and pilot communes' },
  'designation.craft_village': { vi: 'Làng nghề', en: 'Craft village' },
  'designation.pilot_commune': { vi: 'Xã điểm', en: 'Pilot commune' },
  'investor.title': { vi: 'Nhà đầu tư trong cụm', en: 'Investors in the cluster' },
  'investor.none': { vi: 'Chưa có nhà đầu tư.', en: 'No investor yet.' },
  'investor.name': { vi: 'Tên nhà đầu tư', en: 'Investor' },
  'investor.tax_code': { vi: 'Mã số thuế', en: 'Tax code' },
  'investor.country': { vi: 'Quốc gia (FDI, mã 2 chữ)', en: 'Country (FDI, 2-letter code)' },
  'investor.vsic': { vi: 'Ngành (mã VSIC 2018)', en: 'Sector (VSIC 2018 code)' },
  'investor.plot': { vi: 'Lô đất thuê', en: 'Leased plot' },
  'investor.start': { vi: 'Từ ngày', en: 'From' },
  'investor.status': { vi: 'Tình trạng', en: 'Status' },
  'investor.capital': { vi: 'Vốn đăng ký (đồng)', en: 'Registered capital (VND)' },
  'investor.workers': { vi: 'Số lao động', en: 'Workers' },
  'investor.plots': { vi: 'Số lô thuê', en: 'Plots leased' },
  'investor.add': { vi: 'Thêm nhà đầu tư trên một lô đất', en: 'Add an investor on a plot' },
  'investor.save': { vi: 'Lưu nhà đầu tư', en: 'Save investor' },
  'investor.role.infrastructure': { vi: 'Chủ đầu tư hạ tầng', en: 'Infrastructure investor' },
  'investor.status.registered': { vi: 'Đã đăng ký', en: 'Registered' },
  'investor.status.building': { vi: 'Đang xây dựng', en: 'Building' },
  'investor.status.operating': { vi: 'Đang hoạt động', en: 'Operating' },
  'investor.status.stopped': { vi: 'Tạm ngừng', en: 'Stopped' },
  'investor.status.left': { vi: 'Đã rời cụm', en: 'Left' },
  'report.open': { vi: 'Báo cáo', en: 'Report' },
  'report.title': { vi: 'Báo cáo CCN (Thông tư 14/2024/TT-BCT)', en: 'Cluster report (Circular 14/2024/TT-BCT)' },
  'report.year': { vi: 'Năm', en: 'Year' },
  'report.kind': { vi: 'Kỳ báo cáo', en: 'Period' },
  'report.annual': { vi: 'Cả năm (15/12–14/12)', en: 'Annual (15 Dec–14 Dec)' },
  'report.six_month': { vi: '6 tháng đầu năm (15/12–14/6)', en: 'First half (15 Dec–14 Jun)' },
  'report.unit': { vi: 'Đơn vị', en: 'Unit' },
  'report.province': { vi: 'Toàn tỉnh', en: 'Whole province' },
  'report.print': { vi: 'Bản in', en: 'Printable page' },
  'report.cluster': { vi: 'Cụm công nghiệp', en: 'Cluster' },
  'report.projects_col': { vi: 'Dự án thứ cấp', en: 'Tenant projects' },
  'report.in_plan': { vi: 'Trong quy hoạch: {n} cụm, {ha}', en: 'In the plan: {n} clusters, {ha}' },
  'report.established': { vi: 'Đã thành lập: {n} cụm, {ha}', en: 'Established: {n} clusters, {ha}' },
  'report.operating': { vi: 'Đang hoạt động: {n} cụm, {ha}', en: 'Operating: {n} clusters, {ha}' },
  'report.projects': { vi: 'Dự án thứ cấp: {n} (FDI {fdi}), {workers} lao động', en: 'Tenant projects: {n} (FDI {fdi}), {workers} workers' },
  'report.no_overdue': { vi: 'Không có nhiệm vụ quá hạn.', en: 'No overdue task.' },
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
  'field.wwtp_capacity_m3_day': { vi: 'Công suất trạm xử lý nước thải (m³/ngày đêm)', en: 'Wastewater plant capacity (m³/day)' },
  'value.m3_day': { vi: '{v} m³/ngày đêm', en: '{v} m³/day' },
  'field.notes': { vi: 'Ghi chú', en: 'Notes' },
  'field.version': { vi: 'Phiên bản', en: 'Version' },
  'field.updated': { vi: 'Cập nhật', en: 'Updated' },
  'field.crs': { vi: 'Hệ toạ độ tính diện tích', en: 'Area computed in' },
  'value.none': { vi: '—', en: '—' },
  'value.ha': { vi: '{n} ha', en: '{n} ha' },
  'value.version': { vi: '{v} · {date}', en: '{v} · {date}' },

  'edit.draw_new': { vi: 'Vẽ cụm mới', en: 'Draw new cluster' },

  'import.open': { vi: 'Nhập tệp', en: 'Import file' },
  'import.title': { vi: 'Nhập cụm từ tệp', en: 'Import clusters from a file' },
  'import.choose': {
    vi: 'Tệp (Shapefile nén .zip, GeoPackage, GeoJSON, KML/KMZ, bảng tọa độ CSV/XLSX, bản vẽ DXF): ',
    en: 'File (zipped Shapefile, GeoPackage, GeoJSON, KML/KMZ, CSV/XLSX coordinate table, DXF drawing): ',
  },
  'import.options': { vi: 'Tùy chọn đọc tệp', en: 'Reading the file' },
  'import.layer': { vi: 'Lớp / trang tính: ', en: 'Layer / sheet: ' },
  'import.code': { vi: 'Mã cụm của bảng tọa độ / bản vẽ: ', en: 'Cluster code of the table / drawing: ' },
  'import.axis': { vi: 'Thứ tự X/Y: ', en: 'X/Y order: ' },
  'import.axis.auto': { vi: 'tự nhận ({order})', en: 'detected ({order})' },
  'import.axis.north_east': { vi: 'X = Bắc, Y = Đông', en: 'X = northing, Y = easting' },
  'import.axis.east_north': { vi: 'X = Đông, Y = Bắc', en: 'X = easting, Y = northing' },
  'import.summary': {
    vi: '{file} ({format}, {crs}): {create} thêm mới, {update} cập nhật, {unchanged} không đổi, {refused} bị từ chối',
    en: '{file} ({format}, {crs}): {create} new, {update} updated, {unchanged} unchanged, {refused} refused',
  },
  'import.feature': { vi: 'Đối tượng {n}', en: 'Feature {n}' },
  'import.action.create': { vi: 'thêm mới', en: 'new' },
  'import.action.update': { vi: 'cập nhật', en: 'update' },
  'import.action.unchanged': { vi: 'không đổi', en: 'unchanged' },
  'import.action.refused': { vi: 'bị từ chối', en: 'refused' },
  'import.mapping': { vi: 'Ghép trường của tệp với thuộc tính', en: 'Fields of the file → properties' },
  'import.unmapped': { vi: '(không dùng)', en: '(not used)' },
  'import.recheck': { vi: 'Kiểm tra lại', en: 'Check again' },
  'import.commit': { vi: 'Nhập tất cả', en: 'Import all' },
  'import.done': { vi: 'Đã nhập {n} cụm.', en: 'Imported {n} clusters.' },
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
  // Vertex handles from the keyboard (editing.js): names, the keys, and what a key press did.
  'edit.vertex_label': { vi: 'Đỉnh {i} của {n}', en: 'Vertex {i} of {n}' },
  'edit.midpoint_label': { vi: 'Điểm giữa đỉnh {a} và {b}', en: 'Midpoint of vertices {a} and {b}' },
  'edit.midpoint_action': { vi: 'thêm đỉnh', en: 'add a vertex' },
  'edit.ring_outer': { vi: 'vùng {part}', en: 'part {part}' },
  'edit.ring_hole': { vi: 'lỗ {hole} của vùng {part}', en: 'hole {hole} of part {part}' },
  'edit.vertex_keys': { vi: 'Bàn phím: Tab đến một đỉnh; phím mũi tên dời đỉnh 1 px, Shift + mũi tên dời 10 px; Delete xoá đỉnh; Enter hoặc Space trên điểm giữa cạnh thêm đỉnh; Ctrl + Z hoàn tác.', en: 'Keyboard: Tab to a vertex; arrow keys move it by 1 px, Shift + arrow by 10 px; Delete removes it; Enter or Space on a midpoint adds a vertex; Ctrl + Z undoes.' },
  'edit.vertex_moved': { vi: 'Đã dời đỉnh {i} của {n} {dir} {px} px.', en: 'Moved vertex {i} of {n} {dir} by {px} px.' },
  'edit.vertex_removed': { vi: 'Đã xoá đỉnh {i}; còn {n} đỉnh.', en: 'Removed vertex {i}; {n} vertices left.' },
  'edit.vertex_added': { vi: 'Đã thêm đỉnh {i}; giờ có {n} đỉnh.', en: 'Added vertex {i}; {n} vertices now.' },
  'edit.vertex_min': { vi: 'Không xoá được: một vòng ranh giới cần ít nhất 3 đỉnh.', en: 'Not removed: a boundary ring needs at least 3 vertices.' },
  'edit.dir_e': { vi: 'sang đông', en: 'east' },
  'edit.dir_w': { vi: 'sang tây', en: 'west' },
  'edit.dir_n': { vi: 'lên bắc', en: 'north' },
  'edit.dir_s': { vi: 'xuống nam', en: 'south' },

  'account.name': { vi: 'Tên đăng nhập', en: 'User name' },
  'account.password': { vi: 'Mật khẩu', en: 'Password' },
  'account.login': { vi: 'Đăng nhập', en: 'Log in' },
  'account.logout': { vi: 'Đăng xuất', en: 'Log out' },
  'account.failed': { vi: 'Đăng nhập không thành công: {detail}', en: 'Login failed: {detail}' },
  'account.bad_credentials': { vi: 'Đăng nhập không thành công: sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đã bị khoá.', en: 'Login failed: wrong name or password, or the account is disabled.' },
  'account.too_many': { vi: 'Đăng nhập sai quá nhiều lần: vui lòng thử lại sau ít phút.', en: 'Too many failed logins: please try again in a few minutes.' },
  'account.unreachable': { vi: 'Không kết nối được máy chủ; vui lòng thử lại.', en: 'The server could not be reached; please try again.' },
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
  'history.outside_unit': { vi: 'Cụm này nằm ngoài địa bàn của bạn: chỉ xem được bản đã công bố, không xem được các phiên bản dự thảo.', en: 'This cluster lies outside your unit: you see its published state only, not its draft versions.' },
  'comments.title': { vi: 'Ý kiến', en: 'Comments' },
  'comments.none': { vi: 'Chưa có ý kiến.', en: 'No comments yet.' },
  'comments.entry': { vi: '{author} · phiên bản {v} · {date}', en: '{author} · version {v} · {date}' },
  'comments.label': { vi: 'Ý kiến về phiên bản đang xem', en: 'Comment on the version shown' },
  'comments.send': { vi: 'Gửi ý kiến', en: 'Add comment' },

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

  // ---- planning domain: sheet, status changes, rules, zones (planning.js, zones.js) ----
  'plan.title': { vi: 'Hồ sơ quy hoạch', en: 'Planning sheet' },
  'plan.date': { vi: 'Tại ngày', en: 'As of' },
  'plan.date_hint': { vi: 'Chọn một ngày trong quá khứ để xem tình trạng và địa giới lúc đó.', en: 'Pick a past date to see the status and units of that time.' },
  'plan.loading': { vi: 'Đang tải hồ sơ…', en: 'Loading the sheet…' },
  'plan.status_on_date': { vi: 'Tình trạng tại ngày', en: 'Status on that date' },
  'plan.status_now': { vi: 'Tình trạng hiện nay', en: 'Current status' },
  'plan.not_yet': { vi: 'Chưa có trong quy hoạch', en: 'Not yet planned' },
  'plan.history': { vi: 'Lịch sử tình trạng', en: 'Status history' },
  'plan.history_empty': { vi: 'Chưa có sự kiện.', en: 'No events yet.' },
  'plan.effective': { vi: 'hiệu lực {date}', en: 'effective {date}' },
  'plan.act': { vi: 'Văn bản: {number}, {date}, {authority}', en: 'Legal act: {number}, {date}, {authority}' },
  'plan.no_act': { vi: 'Không có văn bản', en: 'No legal act' },
  'plan.act_link': { vi: 'Xem văn bản', en: 'Open the document' },
  'plan.override': { vi: 'Miễn trừ {rule}: {reason}', en: 'Override {rule}: {reason}' },
  'plan.recorded': { vi: 'Ghi nhận {at}{by}', en: 'Recorded {at}{by}' },
  'plan.units': { vi: 'Đơn vị hành chính', en: 'Administrative units' },
  'plan.level.province': { vi: 'Tỉnh', en: 'Province' },
  'plan.level.district': { vi: 'Huyện / thị xã', en: 'District' },
  'plan.level.commune': { vi: 'Xã / phường', en: 'Commune' },
  'plan.share': { vi: '{pct} % ({ha})', en: '{pct} % ({ha})' },
  'plan.land': { vi: 'Đất và lấp đầy', en: 'Land and occupancy' },
  'plan.zones': { vi: 'Số khu đất', en: 'Zones' },
  'plan.leasable': { vi: 'Đất công nghiệp cho thuê', en: 'Leasable industrial land' },
  'plan.leased': { vi: 'Đã cho thuê', en: 'Leased' },
  'plan.occupancy': { vi: 'Tỷ lệ lấp đầy', en: 'Occupancy' },
  'plan.by_use': { vi: 'Theo loại đất', en: 'By land use' },
  'plan.rules': { vi: 'Kiểm tra theo Nghị định 32/2024', en: 'Decree 32/2024 checks' },
  'plan.rules_empty': { vi: 'Không có quy tắc áp dụng.', en: 'No rule applies.' },
  'plan.rule_pass': { vi: 'Đạt', en: 'Pass' },
  'plan.rule_fail': { vi: 'Không đạt', en: 'Fail' },
  'plan.severity.hard': { vi: 'bắt buộc', en: 'hard' },
  'plan.severity.conditional': { vi: 'có điều kiện', en: 'conditional' },
  'plan.measured': { vi: 'Đo được {measured} / giới hạn {limit}', en: 'Measured {measured} / limit {limit}' },
  'plan.tasks': { vi: 'Nhiệm vụ quy hoạch', en: 'Planning tasks' },
  'plan.tasks_empty': { vi: 'Không có nhiệm vụ.', en: 'No tasks.' },
  'plan.task_due': { vi: 'Hạn {due} · {agency}', en: 'Due {due} · {agency}' },
  'plan.task_done': { vi: 'hoàn thành {date}', en: 'done {date}' },
  'plan.task_overdue': { vi: 'Quá hạn', en: 'Overdue' },
  'plan.task_state.done': { vi: 'Đã xong', en: 'Done' },
  'plan.task_state.open': { vi: 'Đang thực hiện', en: 'Open' },
  'plan.task_state.done_late': { vi: 'Xong nhưng trễ hạn', en: 'Done late' },
  'plan.task_state.overdue': { vi: 'Quá hạn', en: 'Overdue' },
  'plan.load_failed': { vi: 'Không tải được hồ sơ quy hoạch: {detail}', en: 'Could not load the planning sheet: {detail}' },

  'event.open': { vi: 'Ghi nhận thay đổi tình trạng', en: 'Record a status change' },
  'event.title': { vi: 'Thay đổi tình trạng', en: 'Status change' },
  'event.none_allowed': { vi: 'Không còn chuyển đổi nào được phép từ tình trạng này.', en: 'No further change is allowed from this status.' },
  'event.to': { vi: 'Tình trạng mới', en: 'New status' },
  'event.effective': { vi: 'Ngày hiệu lực', en: 'Effective date' },
  'event.act': { vi: 'Văn bản pháp lý', en: 'Legal act' },
  'event.act_number': { vi: 'Số văn bản', en: 'Act number' },
  'event.act_date': { vi: 'Ngày ban hành', en: 'Date of the act' },
  'event.act_authority': { vi: 'Cơ quan ban hành', en: 'Issuing authority' },
  'event.act_link': { vi: 'Liên kết văn bản (tuỳ chọn)', en: 'Document link (optional)' },
  'event.note': { vi: 'Ghi chú', en: 'Note' },
  'event.excess_demand': { vi: 'Có nhu cầu vượt (cho mở rộng)', en: 'Excess demand declared (for an expansion)' },
  'event.expansion_hint': { vi: 'Mở rộng cần ranh giới mới, lớn hơn ranh giới hiện tại.', en: 'An expansion needs the new boundary, larger than the current one.' },
  'event.expansion_draw': { vi: 'Vẽ ranh giới mở rộng trên bản đồ', en: 'Draw the expanded boundary on the map' },
  'event.expansion_drawing': { vi: 'Kéo các đỉnh của ranh giới (nét đứt) ra ngoài để mở rộng; ranh giới này được gửi kèm.', en: 'Drag the vertices of the dashed boundary outwards; this boundary is sent with the change.' },
  'event.submit': { vi: 'Ghi nhận', en: 'Record' },
  'event.submit_overrides': { vi: 'Gửi lại với lý do miễn trừ', en: 'Resend with override reasons' },
  'event.sending': { vi: 'Đang gửi…', en: 'Sending…' },
  'event.cancel': { vi: 'Huỷ', en: 'Cancel' },
  'event.saved': { vi: 'Đã ghi nhận: {from} → {to}', en: 'Recorded: {from} → {to}' },
  'event.override_reason': { vi: 'Lý do miễn trừ cho {rule}', en: 'Override reason for {rule}' },
  'event.override_needed': { vi: 'Quy tắc có điều kiện: cần nêu lý do để tiếp tục.', en: 'Conditional rule: give a reason to go ahead.' },
  'event.hard_blocks': { vi: 'Quy tắc bắt buộc: không thể miễn trừ.', en: 'Hard rule: cannot be overridden.' },
  'problem.type.legal-act-required': { vi: 'Thay đổi này cần văn bản pháp lý (số, ngày, cơ quan ban hành).', en: 'This change needs its legal act (number, date, issuing authority).' },
  'problem.type.transition-not-allowed': { vi: 'Không được chuyển sang tình trạng này. Được phép: {allowed}.', en: 'This change of status is not allowed. Allowed: {allowed}.' },
  'problem.type.rule-violation': { vi: 'Vi phạm quy tắc quy hoạch ({n}):', en: 'Planning rules not met ({n}):' },
  'problem.type.invalid-history': { vi: 'Lịch sử không hợp lệ: {detail}', en: 'Invalid history: {detail}' },
  'problem.type.status-moved': { vi: 'Tình trạng vừa được người khác thay đổi; hồ sơ đã được tải lại.', en: 'Someone else changed the status meanwhile; the sheet was reloaded.' },
  'problem.type.status-change-needs-event': { vi: 'Không đổi tình trạng bằng cách sửa: hãy dùng «Ghi nhận thay đổi tình trạng» với văn bản pháp lý.', en: 'The status is not changed by editing: use “Record a status change” with its legal act.' },
  'edit.status_by_event': { vi: 'Đổi tình trạng bằng «Ghi nhận thay đổi tình trạng» (kèm văn bản pháp lý).', en: 'Change the status with “Record a status change” (with its legal act).' },
  'rules.title': { vi: 'Kết quả kiểm tra quy tắc', en: 'Rule results' },

  'layers.zones': { vi: 'Khu đất trong cụm (theo loại đất)', en: 'Zones inside clusters (by land use)' },
  'zones.zoom_in': { vi: 'Phóng to (≥ {z}) để xem khu đất.', en: 'Zoom in (≥ {z}) to see zones.' },
  'zones.leased': { vi: 'Đã cho thuê (viền đậm)', en: 'Leased (solid outline)' },
  'zones.unleased': { vi: 'Chưa cho thuê (viền đứt)', en: 'Not leased (dashed outline)' },
  'zones.count': { vi: '{n} khu đất', en: '{n} zones' },
  'zone.title': { vi: 'Khu đất {label}', en: 'Zone {label}' },
  'zone.land_use': { vi: 'Loại đất', en: 'Land use' },
  'zone.cluster': { vi: 'Cụm', en: 'Cluster' },
  'zone.area': { vi: 'Diện tích', en: 'Area' },
  'zone.leasable': { vi: 'Cho thuê được', en: 'Leasable' },
  'zone.leased': { vi: 'Đã thuê', en: 'Leased' },
  'zone.tenant': { vi: 'Doanh nghiệp thuê', en: 'Tenant' },
  'tools.zoning': { vi: 'Tra cứu tại điểm', en: 'What is planned here?' },
  'tools.zoning_hint': { vi: 'Bấm nút rồi nhấp một điểm trên bản đồ (Esc để huỷ).', en: 'Press, then click a point on the map (Esc cancels).' },
  'tools.zoning_loading': { vi: 'Đang tra cứu…', en: 'Looking up…' },
  'tools.zoning_planned': { vi: 'Điểm này nằm trong quy hoạch:', en: 'This point is planned:' },
  'tools.zoning_nothing': { vi: 'Không có cụm công nghiệp nào tại điểm này.', en: 'Nothing is planned at this point.' },
  'tools.summary': { vi: 'Tổng hợp', en: 'Summary' },
  'summary.title': { vi: 'Tổng hợp theo đơn vị hành chính', en: 'Summary by administrative unit' },
  'summary.level': { vi: 'Cấp', en: 'Level' },
  'summary.caption': { vi: '{n} đơn vị tại ngày {date}', en: '{n} units on {date}' },
  'summary.unit': { vi: 'Đơn vị', en: 'Unit' },
  'summary.clusters': { vi: 'Số cụm', en: 'Clusters' },
  'summary.overdue_tasks': { vi: 'Nhiệm vụ quá hạn ({n})', en: 'Overdue tasks ({n})' },
  'summary.planned': { vi: 'Diện tích quy hoạch', en: 'Planned area' },
  'value.yes': { vi: 'Có', en: 'Yes' },
  'value.no': { vi: 'Không', en: 'No' },
  'use.IND': { vi: 'Đất công nghiệp (IND)', en: 'Industrial (IND)' },
  'use.WH': { vi: 'Kho bãi (WH)', en: 'Warehousing (WH)' },
  'use.ADM': { vi: 'Điều hành, dịch vụ (ADM)', en: 'Administration, services (ADM)' },
  'use.GRN': { vi: 'Cây xanh (GRN)', en: 'Green space (GRN)' },
  'use.WAT': { vi: 'Mặt nước (WAT)', en: 'Water surface (WAT)' },
  'use.UTL': { vi: 'Hạ tầng kỹ thuật (UTL)', en: 'Utilities (UTL)' },
  'use.WWTP': { vi: 'Xử lý nước thải (WWTP)', en: 'Wastewater treatment (WWTP)' },
  'use.ROAD': { vi: 'Giao thông (ROAD)', en: 'Roads (ROAD)' },

  'public.title': { vi: 'Quy hoạch cụm công nghiệp đã công bố', en: 'Published industrial cluster plan' },
  'public.search_label': { vi: 'Tìm cụm theo tên hoặc mã', en: 'Search clusters by name or code' },
  'public.search_placeholder': { vi: 'Tìm theo tên, mã (vd. phu hung)', en: 'Name or code (e.g. phu hung)' },
  'public.hint': { vi: 'Bấm vào bản đồ để xem quy hoạch tại điểm đó.', en: 'Click the map to see what is planned there.' },
  'public.legend': { vi: 'Chú giải', en: 'Legend' },
  'public.legend_status': { vi: 'Tình trạng cụm', en: 'Cluster status' },
  'public.legend_use': { vi: 'Chức năng sử dụng đất', en: 'Land use' },
  'public.share': { vi: 'Chia sẻ', en: 'Share' },
  'public.share_label': { vi: 'Sao chép liên kết tới khung nhìn này', en: 'Copy a link to this view' },
  'public.share_copied': { vi: 'Đã sao chép liên kết', en: 'Link copied' },
  'public.print': { vi: 'In', en: 'Print' },
  'public.print_label': { vi: 'In bản đồ (khổ A4)', en: 'Print the map (A4)' },
  'public.north': { vi: 'Hướng Bắc', en: 'North' },
  'public.loading': { vi: 'Đang tra cứu…', en: 'Looking up…' },
  'public.nothing': { vi: 'Không có quy hoạch cụm công nghiệp đã công bố tại điểm này.', en: 'No published industrial cluster plan at this point.' },
  'public.status': { vi: 'Tình trạng', en: 'Status' },
  'public.land_use': { vi: 'Chức năng sử dụng đất', en: 'Land use' },
  'public.zone': { vi: 'Lô đất', en: 'Plot' },
  'public.units': { vi: 'Đơn vị hành chính', en: 'Administrative units' },
  'public.point': { vi: 'Điểm {lat}, {lon}', en: 'Point {lat}, {lon}' },
  'public.failed': { vi: 'Không tra cứu được: {detail}', en: 'Lookup failed: {detail}' },
  'public.illustrative': { vi: 'Ranh giới mang tính minh họa khi dữ liệu là dữ liệu mẫu.', en: 'Boundaries of demo data are illustrative.' },
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
