// Editing with Leaflet-Geoman: draw a new cluster, or change an existing one on an editable copy
// (vertices with snapping, move, cut a hole, add a part), undo step by step, then save through the
// API. The server validates: its 422 problems become markers on the map and a list in the panel
// with the drawing kept (a Decree 32 rule-violation lists its rule results); a 412 (someone else saved first) is shown and never overwritten silently.

import { h } from './dom.js';
import { t, has, lang, onLangChange, geomanStrings, formatNumber } from './i18n.js';
import * as api from './api.js';
import { KINDS } from './clusters-layer.js';
import * as geo from './geometry.js';
import { confirmDeleteView } from './panel.js';
import { problemType, ruleViolationBox } from './rules.js';

const L = window.L;

// Geoman only handles layers that ask for it (pmIgnore: false): the map and the drawing. The
// data layers stay read-only but are snap targets (snapIgnore: false).
L.PM.setOptIn(true);

const DRAFT_STYLE = { color: '#c2185b', weight: 3, fillColor: '#c2185b', fillOpacity: 0.18, pmIgnore: false };
const SKETCH_STYLE = { color: '#c2185b', weight: 2, dashArray: '4 4' };
const DRAWING_TOOLS = new Set(['draw', 'add', 'cut']);
/** Screen pixels an arrow key moves a vertex by, and with Shift held. */
const KEY_STEP = 1;
const KEY_STEP_SHIFT = 10;
/** Arrow keys: the screen direction and the compass word announced (north is up in Leaflet). */
const ARROWS = { ArrowLeft: [-1, 0, 'w'], ArrowRight: [1, 0, 'e'], ArrowUp: [0, -1, 'n'], ArrowDown: [0, 1, 's'] };

export class Editor {
  /** True while a held-down arrow key repeats: its moves join the step already on the Undo list. */
  #mergeEdit = false;
  /** The vertex marker the last arrow key moved (null once anything else changed the drawing). */
  #lastKeyMoved = null;

  /**
   * map: the Leaflet map (created with pmIgnore: false); clusters: the clusters layer;
   * panel: the Panel; onStart(): an edit session begins; onEnd({ reason, feature, id }): it
   * ended ('saved' | 'cancelled' | 'deleted' | 'reloaded'); notify(text): a short status line.
   */
  constructor({ map, clusters, panel, onStart, onEnd, notify }) {
    Object.assign(this, { map, clusters, panel, onStart, onEnd, notify });
    this.session = null;
    this.draft = null;
    this.problemsLayer = L.layerGroup().addTo(map);
    this.ui = {};

    map.pm.setGlobalOptions({
      snappable: true,
      snapDistance: 15,
      allowSelfIntersection: true, // the server is the judge; its problems are shown on the map
      templineStyle: SKETCH_STYLE,
      hintlineStyle: SKETCH_STYLE,
      pathOptions: DRAFT_STYLE,
    });
    const geomanLang = () => map.pm.setLang(lang(), geomanStrings(), 'en');
    geomanLang();
    onLangChange(geomanLang);

    map.on('pm:create', (e) => this.#onCreate(e));
    map.on('pm:cut', (e) => this.#onCut(e));
    map.on('pm:drawstart', (e) => this.#onDrawStart(e));
    map.on('pm:drawend', () => this.#onDrawEnd());
    // Vertex handles from the keyboard. On the container, so that it runs before Leaflet's own
    // keyboard panning (a listener on the document while the map has the focus) can see the key.
    map.getContainer().addEventListener('keydown', (e) => this.#onHandleKey(e));
    onLangChange(() => this.#labelHandles());
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.session && DRAWING_TOOLS.has(this.session.tool)) {
        e.preventDefault();
        this.setTool(this.draft ? 'vertices' : null);
      }
    });
  }

  get active() {
    return this.session !== null;
  }

  /** True when leaving now would lose a drawing or typed values. */
  get dirty() {
    const s = this.session;
    if (!s) return false;
    const typed = Object.keys(s.props).some((k) => String(s.props[k] ?? '') !== String(s.initialProps[k] ?? ''));
    return typed || s.history.length > 0 || (s.mode === 'create' && s.polygons.length > 0);
  }

  // ---- starting and ending ------------------------------------------------------------------

  startNew() {
    if (this.#busy()) return;
    this.#begin({
      mode: 'create',
      id: null,
      version: null,
      props: { name: '', code: '', kind: 'cluster', status: 'in_plan', planned_area_ha: '', wwtp_capacity_m3_day: '', notes: '' },
      polygons: [],
    });
    this.setTool('draw');
  }

  async startEdit(feature) {
    if (this.#busy()) return;
    let fresh = feature;
    let version = String(feature.properties?.version ?? '');
    try {
      const got = await api.getCluster(feature.id);
      fresh = got.feature;
      version = got.etag;
    } catch (err) {
      this.notify(this.#errorText(err));
      if (err.status === 404) {
        this.clusters.remove(feature.id);
        this.onEnd({ reason: 'deleted', id: feature.id });
      }
      return;
    }
    this.clusters.upsert(fresh);
    const p = fresh.properties;
    this.#begin({
      mode: 'edit',
      id: fresh.id,
      version,
      original: fresh,
      props: {
        name: p.name ?? '', code: p.code ?? '', kind: p.kind ?? 'cluster', status: p.status ?? 'in_plan',
        planned_area_ha: p.planned_area_ha ?? '', wwtp_capacity_m3_day: p.wwtp_capacity_m3_day ?? '', notes: p.notes ?? '',
      },
      polygons: geo.polygonsOf(fresh.geometry),
    });
    this.clusters.hide(fresh.id);
    this.#rebuildDraft();
    this.setTool('vertices');
    this.map.fitBounds(this.draft.getBounds(), { paddingTopLeft: [380, 40], paddingBottomRight: [320, 40], maxZoom: 17 });
  }

  #busy() {
    if (!this.session) return false;
    this.notify(t('edit.busy'));
    return true;
  }

  #begin(fields) {
    this.session = {
      history: [], tool: null, problems: [], fieldErrors: {}, conflict: null, error: null,
      saving: false, sketchArea: null, ...fields, initialProps: { ...fields.props },
    };
    this.session.polygons = geo.clone(this.session.polygons);
    this.map.getContainer().classList.add('cp-editing');
    this.onStart();
    this.panel.show(this.#view());
  }

  cancel() {
    const s = this.session;
    if (!s) return;
    if (this.dirty && !window.confirm(t('edit.discard_confirm'))) return;
    this.#end();
    this.onEnd({ reason: 'cancelled', id: s.id });
  }

  #end() {
    const s = this.session;
    this.setTool(null);
    this.#removeDraft();
    this.#clearProblems();
    if (s?.id !== null && s?.id !== undefined) this.clusters.show(s.id);
    this.session = null;
    this.map.getContainer().classList.remove('cp-editing');
  }

  // ---- tools ----------------------------------------------------------------------------------

  /** 'draw' | 'add' | 'cut' | 'vertices' | 'drag' | null */
  setTool(tool) {
    const s = this.session;
    this.map.pm.disableDraw();
    if (this.draft?.pm) {
      this.draft.pm.disable();
      this.draft.pm.disableLayerDrag();
    }
    if (!s) return;
    s.tool = tool;
    s.sketchArea = null;
    if (tool === 'draw' || tool === 'add') {
      this.map.pm.enableDraw('Polygon', { snappable: true, pathOptions: DRAFT_STYLE });
    } else if (tool === 'cut' && this.draft) {
      this.map.pm.enableDraw('Cut', { snappable: true, layersToCut: [this.draft], allowSelfIntersection: false });
    } else if (tool === 'vertices' && this.draft) {
      this.draft.pm.enable({ snappable: true, snapDistance: 15, allowSelfIntersection: true, draggable: false });
    } else if (tool === 'drag' && this.draft) {
      // Vertex mode turns Geoman's `draggable` off so that a stray drag does not move the shape.
      this.draft.pm.setOptions({ draggable: true });
      this.draft.pm.enableLayerDrag();
    } else {
      s.tool = null;
    }
    this.#refresh();
  }

  #onDrawStart(e) {
    const s = this.session;
    if (!s || !e.workingLayer) return;
    const working = e.workingLayer;
    const cutting = e.shape === 'Cut';
    const live = (cursor) => {
      const ring = working.getLatLngs().map((ll) => [ll.lng, ll.lat]);
      if (cursor) ring.push([cursor.lng, cursor.lat]);
      const sketch = geo.ringArea(ring) / 10000;
      const base = geo.areaHa(s.polygons);
      s.sketchArea = cutting ? Math.max(base - sketch, 0) : base + sketch;
      this.#refreshArea();
    };
    this.liveDraw = (ev) => live(ev.latlng);
    this.map.on('mousemove', this.liveDraw);
    working.on('pm:vertexadded', () => live(null));
  }

  #onDrawEnd() {
    if (this.liveDraw) this.map.off('mousemove', this.liveDraw);
    this.liveDraw = null;
    // Drawing stopped without a shape (Esc, Cancel): fall back to vertex editing. Deferred so a
    // pm:create or pm:cut of the same gesture is handled first.
    setTimeout(() => {
      const s = this.session;
      if (s && DRAWING_TOOLS.has(s.tool) && !this.map.pm.globalDrawModeEnabled()) {
        this.setTool(this.draft ? 'vertices' : null);
      }
    }, 0);
  }

  #onCreate(e) {
    const layer = e.layer;
    const polygons = geo.polygonsOf(layer.toGeoJSON(15));
    // The drawn shape becomes part of our drawing; Geoman's own layer is not kept.
    layer.remove();
    const s = this.session;
    if (!s || !polygons.length) return;
    setTimeout(() => {
      this.#change(() => { s.polygons.push(...polygons); });
      this.setTool('vertices');
    }, 0);
  }

  #onCut(e) {
    const s = this.session;
    const result = e.layer;
    const polygons = geo.polygonsOf(result.toGeoJSON(15));
    result.remove();
    if (!s) return;
    // Geoman removed the layer it cut (our drawing); rebuild from the result.
    this.draft?.off();
    this.draft = null;
    setTimeout(() => {
      this.#change(() => { s.polygons = polygons; });
      this.setTool('vertices');
    }, 0);
  }

  /** Apply a change to the drawing, remembering the previous state for Undo. */
  #change(mutate) {
    const s = this.session;
    s.history.push(geo.clone(s.polygons));
    mutate();
    this.#rebuildDraft();
    this.#refresh();
  }

  undo() {
    const s = this.session;
    if (!s) return;
    const drawing = DRAWING_TOOLS.has(s.tool) && this.#workingVertexCount() > 0;
    if (drawing) {
      // While drawing, Undo takes back the last vertex placed.
      const shape = s.tool === 'cut' ? 'Cut' : 'Polygon';
      this.map.pm.Draw[shape]._removeLastVertex?.();
      return;
    }
    if (!s.history.length) return;
    // Undo pressed on a vertex handle (Ctrl+Z): the handles are made anew, so the focus goes
    // back to the one at the same place in the same ring.
    const focused = this.#focusedHandle();
    s.polygons = s.history.pop();
    const tool = s.tool;
    this.#rebuildDraft();
    this.setTool(this.draft ? (tool === 'drag' ? 'drag' : 'vertices') : (s.mode === 'create' ? 'draw' : null));
    if (focused && s.tool === 'vertices') this.#focusHandle(focused);
  }

  #workingVertexCount() {
    const shape = this.session?.tool === 'cut' ? 'Cut' : 'Polygon';
    return this.map.pm.Draw[shape]?._layer?.getLatLngs?.().length ?? 0;
  }

  #removeDraft() {
    if (!this.draft) return;
    this.draft.pm?.disable();
    this.draft.pm?.disableLayerDrag();
    this.draft.off();
    this.draft.remove();
    this.draft = null;
  }

  #rebuildDraft() {
    const s = this.session;
    this.#removeDraft();
    if (!s || !s.polygons.length) return;
    const draft = L.polygon(geo.toLatLngs(s.polygons), { ...DRAFT_STYLE, className: 'cp-draft' }).addTo(this.map);
    draft.on('pm:edit', () => {
      // Vertex moved, added or removed, or the shape dragged: keep the state before for Undo
      // (a held-down arrow key keeps only the state before the key went down).
      const now = geo.polygonsOf(draft.toGeoJSON(15));
      if (!this.#mergeEdit) {
        s.history.push(s.polygons);
        this.#lastKeyMoved = null;
      }
      s.polygons = now;
      this.#refresh();
    });
    // Geoman makes the handles when vertex editing starts and adds or drops some with a vertex;
    // each time they get their names and their ring order. After a mouse drag again, as the
    // order waits while a handle is being dragged.
    draft.on('pm:enable pm:vertexadded pm:vertexremoved', () => this.#labelHandles());
    draft.on('pm:markerdragend', () => setTimeout(() => this.#labelHandles(), 0));
    draft.on('pm:markerdrag', () => {
      s.sketchArea = geo.areaHa(geo.polygonsOf(draft.toGeoJSON(15)));
      this.#refreshArea();
    });
    this.draft = draft;
  }

  // ---- vertex handles from the keyboard --------------------------------------------------------
  // Geoman's vertex handles are Leaflet markers, which Leaflet already makes focusable buttons.
  // They get a name and a ring order here, and their keys go through Geoman's own handlers of a
  // mouse drag, a right-click and a midpoint click, so the outline, the midpoints, the live area
  // ('pm:markerdrag') and Undo ('pm:edit') follow exactly as they do for the mouse.

  /**
   * The handles of the drawing in vertex mode, in ring order: in every ring each vertex, then the
   * midpoint after it. Each is { marker, kind: 'vertex' | 'midpoint', ring (the ring's vertex
   * markers), path (the ring's place in Geoman's nested marker arrays), index, rings (how many) }.
   */
  #handles() {
    const pm = this.draft?.pm;
    if (!pm?.enabled() || !Array.isArray(pm._markers)) return [];
    const rings = [];
    const walk = (markers, path) => {
      if (Array.isArray(markers[0])) markers.forEach((inner, i) => walk(inner, [...path, i]));
      else if (markers.length) rings.push({ ring: markers, path });
    };
    walk(pm._markers, []);
    const out = [];
    for (const { ring, path } of rings) {
      ring.forEach((marker, index) => {
        out.push({ marker, kind: 'vertex', ring, path, index, rings: rings.length });
        const mid = marker._middleMarkerNext;
        if (mid?._map) out.push({ marker: mid, kind: 'midpoint', ring, path, index, rings: rings.length });
      });
    }
    return out;
  }

  /** "Vertex 3 of 12", with the part or hole when the drawing has more than one ring. */
  #handleLabel(handle) {
    const n = handle.ring.length;
    const own = handle.kind === 'vertex'
      ? t('edit.vertex_label', { i: handle.index + 1, n })
      : t('edit.midpoint_label', { a: handle.index + 1, b: ((handle.index + 1) % n) + 1 });
    // Geoman nests a polygon's rings one level deep, a multipolygon's two: [part, ring].
    const [part, ring] = handle.path.length > 1 ? handle.path : [0, handle.path[0]];
    const where = handle.rings < 2 ? ''
      : `, ${ring === 0 ? t('edit.ring_outer', { part: part + 1 }) : t('edit.ring_hole', { hole: ring, part: part + 1 })}`;
    const action = handle.kind === 'midpoint' ? `: ${t('edit.midpoint_action')}` : '';
    return `${own}${where}${action}`;
  }

  /** Name every handle, and put them in the document in ring order: the order Tab follows. */
  #labelHandles() {
    const handles = this.#handles().filter((handle) => handle.marker._icon);
    for (const handle of handles) {
      const icon = handle.marker._icon;
      icon.tabIndex = 0;
      icon.setAttribute('role', 'button');
      icon.setAttribute('aria-label', this.#handleLabel(handle));
      icon.setAttribute('aria-describedby', 'cp-vertex-keys');
    }
    // Geoman adds a ring's vertices before its midpoints, and new handles at the end of the pane.
    // Not while a handle is being dragged: taking its element out of the page would end the drag.
    if (!handles.length || L.Draggable._dragging) return;
    const icons = handles.map((handle) => handle.marker._icon);
    const ours = new Set(icons);
    const pane = icons[0].parentNode;
    const now = [...pane.children].filter((el) => ours.has(el));
    if (now.length === icons.length && now.every((el, i) => el === icons[i])) return;
    // Moving the focused element takes the focus away: give it back.
    const focused = document.activeElement;
    for (const icon of icons) pane.appendChild(icon);
    if (ours.has(focused) && document.activeElement !== focused) focused.focus({ preventScroll: true });
  }

  /** Where the focused handle is ({ path, index, kind }), or null when no handle has the focus. */
  #focusedHandle() {
    const handle = this.#handles().find((h) => h.marker._icon && h.marker._icon === document.activeElement);
    return handle ? { path: handle.path, index: handle.index, kind: handle.kind } : null;
  }

  /** Focus the handle at `index` of the ring at `path` (the nearest one left when it is gone). */
  #focusHandle({ path, index, kind = 'vertex' }) {
    const handles = this.#handles().filter((h) => h.marker._icon);
    const key = path.join('/');
    const same = handles.filter((h) => h.kind === kind && h.path.join('/') === key);
    const target = same.find((h) => h.index === index) ?? same[Math.min(index, same.length - 1)] ?? handles[0];
    target?.marker._icon.focus();
  }

  #onHandleKey(e) {
    const s = this.session;
    if (!s || s.tool !== 'vertices' || e.altKey || !e.target.classList?.contains('marker-icon')) return;
    const handle = this.#handles().find((h) => h.marker._icon === e.target);
    if (!handle) return;
    const shortcut = e.ctrlKey || e.metaKey;
    if (shortcut && e.key.toLowerCase() === 'z' && !e.shiftKey) {
      this.undo();
    } else if (shortcut) {
      return;
    } else if (e.key in ARROWS) {
      // Arrow keys on a midpoint do nothing, but they must not pan the map either.
      if (handle.kind === 'vertex') {
        const [x, y, dir] = ARROWS[e.key];
        this.#nudge(handle, e.shiftKey ? KEY_STEP_SHIFT : KEY_STEP, x, y, dir, e.repeat);
      }
    } else if ((e.key === 'Delete' || e.key === 'Backspace') && handle.kind === 'vertex') {
      this.#removeVertex(handle);
    } else if ((e.key === 'Enter' || e.key === ' ') && handle.kind === 'midpoint') {
      // Also keeps Leaflet from turning the Enter into a click on the marker (a second vertex).
      this.#insertVertex(handle);
    } else {
      return;
    }
    // The key was ours: not also Leaflet's keyboard panning, nor the page's scrolling.
    e.preventDefault();
    e.stopPropagation();
  }

  /**
   * Move a vertex by `step` screen pixels, as a very short mouse drag would: Geoman's drag start,
   * the marker's move (Geoman moves the outline and the midpoints and fires 'pm:markerdrag'), and
   * its drag end ('pm:edit': one Undo step). The pixel offset is turned into a position with the
   * map's own projection at its zoom, so a step is the same on screen at every zoom and latitude.
   * project/unproject and not latLngToContainerPoint, which rounds to whole pixels: a key press
   * would also snap the vertex to the pixel grid, moving it a little north or south.
   */
  #nudge(handle, step, x, y, dir, repeat) {
    const { marker } = handle;
    const pm = this.draft.pm;
    const zoom = this.map.getZoom();
    const to = this.map.unproject(this.map.project(marker.getLatLng(), zoom).add([x * step, y * step]), zoom);
    const gesture = { target: marker, type: 'keydown' };
    // Every key press is one Undo step; a key held down (auto-repeat) is one step for the whole hold.
    this.#mergeEdit = repeat && this.#lastKeyMoved === marker;
    try {
      pm._onMarkerDragStart(gesture);
      marker.setLatLng(to);
      pm._onMarkerDragEnd(gesture);
    } finally {
      this.#mergeEdit = false;
    }
    this.#lastKeyMoved = marker;
    this.#announce(t('edit.vertex_moved', { i: handle.index + 1, n: handle.ring.length, dir: t(`edit.dir_${dir}`), px: step }));
  }

  /** Remove a vertex with Geoman's own right-click handler; never below 3 vertices in a ring. */
  #removeVertex(handle) {
    const n = handle.ring.length;
    if (n <= 3) {
      // Geoman would drop the whole ring (or the drawing) instead.
      this.#announce(t('edit.vertex_min'));
      return;
    }
    this.draft.pm._removeMarker({ target: handle.marker });
    // The focus goes to the vertex that followed, which now has the removed one's number.
    this.#focusHandle({ path: handle.path, index: handle.index < n - 1 ? handle.index : 0 });
    this.#announce(t('edit.vertex_removed', { i: handle.index + 1, n: n - 1 }));
  }

  /** Turn a midpoint into a vertex with Geoman's own midpoint-click handler, and focus it. */
  #insertVertex(handle) {
    const n = handle.ring.length;
    this.draft.pm._onMiddleMarkerClick({ target: handle.marker });
    // Geoman put it right after the vertex before it, under a new icon element.
    this.#focusHandle({ path: handle.path, index: handle.index + 1 });
    this.#announce(t('edit.vertex_added', { i: handle.index + 2, n: n + 1 }));
  }

  /** Say what a key did, in the panel's status line (read out by screen readers). */
  #announce(text) {
    const out = this.ui.vertexStatus;
    if (!out) return;
    // The same words again (the same key twice) are still a change a screen reader reads out.
    out.textContent = out.textContent === text ? `${text}\u00a0` : text;
  }

  // ---- saving -------------------------------------------------------------------------------

  async save() {
    const s = this.session;
    if (!s || s.saving) return;
    if (DRAWING_TOOLS.has(s.tool)) this.setTool(this.draft ? 'vertices' : null);
    s.fieldErrors = this.#checkFields();
    s.error = null;
    s.ruleViolation = null;
    if (!s.polygons.length) s.error = t('edit.no_geometry');
    if (Object.keys(s.fieldErrors).length || s.error) {
      this.#refresh();
      this.#focusFirstError();
      return;
    }
    const submitted = geo.clone(s.polygons);
    const planned = String(s.props.planned_area_ha ?? '').trim();
    const wwtp = String(s.props.wwtp_capacity_m3_day ?? '').trim();
    const feature = {
      type: 'Feature',
      geometry: geo.toGeometry(submitted),
      properties: {
        code: s.props.code.trim(),
        name: s.props.name.trim(),
        kind: s.props.kind,
        status: s.props.status,
        notes: s.props.notes.trim() || null,
        planned_area_ha: planned === '' ? null : Number(planned),
        wwtp_capacity_m3_day: wwtp === '' ? null : Number(wwtp),
      },
    };
    if (s.mode === 'edit') {
      feature.id = s.id;
      // PUT replaces the whole feature: keep the CRS the dataset was planned in.
      const crs = s.original.properties?.planning_crs;
      if (crs) feature.properties.planning_crs = crs;
      // …and the site facts the form does not show.
      for (const flag of ['craft_village', 'mountainous', 'roads_completed', 'water_completed', 'wastewater_completed']) {
        if (typeof s.original.properties?.[flag] === 'boolean') feature.properties[flag] = s.original.properties[flag];
      }
    }
    s.saving = true;
    s.conflict = null;
    this.#clearProblems();
    this.#refresh();
    try {
      const saved = s.mode === 'create'
        ? await api.createCluster(feature)
        : await api.updateCluster(s.id, s.version, feature);
      this.#end();
      this.clusters.upsert(saved);
      this.notify(t('edit.saved', { name: saved.properties.name, v: saved.properties.version }));
      this.onEnd({ reason: 'saved', feature: saved, id: saved.id });
      return;
    } catch (err) {
      this.#handleSaveError(err, submitted);
    } finally {
      if (this.session === s) {
        s.saving = false;
        this.#refresh();
      }
    }
  }

  #checkFields() {
    const p = this.session.props;
    const errors = {};
    if (!p.name.trim()) errors.name = t('edit.required');
    if (!p.code.trim()) errors.code = t('edit.required');
    const planned = String(p.planned_area_ha ?? '').trim();
    if (planned !== '' && !(Number(planned) >= 0)) errors.planned_area_ha = t('edit.invalid_number');
    const wwtp = String(p.wwtp_capacity_m3_day ?? '').trim();
    if (wwtp !== '' && !(Number(wwtp) >= 0)) errors.wwtp_capacity_m3_day = t('edit.invalid_number');
    return errors;
  }

  #handleSaveError(err, submitted) {
    const s = this.session;
    const problem = err.problem ?? {};
    s.ruleViolation = null;
    const type = problemType(problem);
    if (err.status === 422 && type === 'rule-violation') {
      // Decree 32 rules (area limits…): every result with its rule id, measured value and limit.
      s.ruleViolation = problem;
      this.#focusFirstError();
    } else if (err.status === 422 && type && has(`problem.type.${type}`) && !(problem.problems ?? []).length) {
      s.error = t(`problem.type.${type}`, { allowed: (problem.allowed ?? []).join(', '), detail: problem.detail ?? '' });
    } else if (err.status === 422) {
      s.problems = (problem.problems ?? []).map((p) => ({ ...p, at: p.point ?? geo.vertexAt(submitted, p) }));
      for (const e of problem.errors ?? []) s.fieldErrors[fieldKey(e.field)] = e.message;
      if (!s.problems.length && !(problem.errors ?? []).length) s.error = this.#errorText(err);
      this.#showProblems();
      this.#focusFirstError();
    } else if (err.status === 409) {
      s.fieldErrors.code = t('error.duplicate_code');
      this.#focusFirstError();
    } else if (err.status === 412) {
      s.conflict = { detail: problem.detail ?? null };
    } else if (err.status === 404 && s.mode === 'edit') {
      s.error = t('error.gone');
    } else {
      s.error = this.#errorText(err);
    }
  }

  #errorText(err) {
    if (err.status === 0) return t('error.network');
    const detail = err.problem?.detail ?? err.problem?.title ?? err.message;
    return t('error.generic', { status: err.status, detail });
  }

  #problemText(p) {
    return has(`problem.${p.code}`) ? t(`problem.${p.code}`) : (p.message ?? p.code ?? '?');
  }

  #problemWhere(p) {
    if (!Number.isInteger(p.vertex)) return null;
    return t('error.location', { polygon: (p.polygon ?? 0) + 1, ring: (p.ring ?? 0) + 1, vertex: p.vertex + 1 });
  }

  #showProblems() {
    const s = this.session;
    this.#clearProblems({ forget: false });
    s.problems.forEach((p, i) => {
      if (!p.at) return;
      const [lon, lat] = p.at;
      const marker = L.circleMarker([lat, lon], {
        radius: 9, color: '#7f0000', weight: 2, fillColor: '#ff5252', fillOpacity: 0.9,
        className: `cp-problem-marker cp-problem-${i}`, pmIgnore: true, snapIgnore: true,
      });
      const where = this.#problemWhere(p);
      marker.bindPopup(() => h('div', { class: 'cp-problem-popup' },
        h('strong', {}, this.#problemText(p)), where ? h('div', {}, where) : null), { autoPan: true });
      marker.addTo(this.problemsLayer);
      p.marker = marker;
    });
    const first = s.problems.find((p) => p.marker);
    if (first) first.marker.openPopup();
  }

  /** Remove the problem markers (and, with `forget`, the problem list too). */
  #clearProblems({ forget = true } = {}) {
    this.problemsLayer.clearLayers();
    if (!this.session) return;
    for (const p of this.session.problems) delete p.marker;
    if (forget) this.session.problems = [];
  }

  // ---- conflicts ------------------------------------------------------------------------------

  /** Drop my changes and show the version another planner saved. */
  async reloadLatest() {
    const s = this.session;
    if (!s || s.mode !== 'edit') return;
    try {
      const { feature } = await api.getCluster(s.id);
      this.#end();
      this.clusters.upsert(feature);
      this.onEnd({ reason: 'reloaded', feature, id: feature.id });
    } catch (err) {
      if (err.status === 404) {
        this.#end();
        this.clusters.remove(s.id);
        this.notify(t('error.gone'));
        this.onEnd({ reason: 'deleted', id: s.id });
      } else {
        s.error = this.#errorText(err);
        this.#refresh();
      }
    }
  }

  keepEditing() {
    if (!this.session) return;
    this.session.conflict = null;
    this.#refresh();
  }

  // ---- deleting -------------------------------------------------------------------------------

  confirmDelete(feature) {
    if (this.#busy()) return;
    let error = null;
    const view = () => confirmDeleteView(feature, {
      error: error ? () => h('p', { class: 'cp-error', role: 'alert' }, error) : null,
      onCancel: () => this.onEnd({ reason: 'cancelled', id: feature.id }),
      onConfirm: async () => {
        try {
          await api.deleteCluster(feature.id, feature.properties.version);
          this.clusters.remove(feature.id);
          this.notify(t('edit.deleted', { name: feature.properties.name }));
          this.onEnd({ reason: 'deleted', id: feature.id });
        } catch (err) {
          if (err.status === 412) error = t('error.conflict_title');
          else if (err.status === 404) error = t('error.gone');
          else error = this.#errorText(err);
          this.panel.show(view());
          if (err.status === 412 || err.status === 404) {
            // Show what is on the server now; the user can decide again from there.
            this.panel.el.querySelector('.cp-confirm .cp-actions')?.replaceChildren(
              h('button', { type: 'button', class: 'primary', onclick: () => this.#reloadAfterDeleteConflict(feature) }, t('error.conflict_reload')));
          }
        }
      },
    });
    this.panel.show(view());
    this.panel.el.querySelector('#btn-cancel-delete')?.focus();
  }

  async #reloadAfterDeleteConflict(feature) {
    try {
      const { feature: fresh } = await api.getCluster(feature.id);
      this.clusters.upsert(fresh);
      this.onEnd({ reason: 'reloaded', feature: fresh, id: fresh.id });
    } catch {
      this.clusters.remove(feature.id);
      this.onEnd({ reason: 'deleted', id: feature.id });
    }
  }

  // ---- the editor panel ---------------------------------------------------------------------

  #view() {
    return {
      kind: 'editor',
      title: () => (this.session?.mode === 'edit'
        ? t('edit.title_edit', { name: this.session.original.properties.name })
        : t('edit.title_new')),
      onClose: () => this.cancel(),
      body: () => this.#buildBody(),
    };
  }

  #buildBody() {
    const s = this.session;
    const ui = {};
    const tool = (id, key) => h('button', {
      type: 'button', id: `tool-${id}`, class: 'cp-tool', 'aria-pressed': 'false',
      onclick: () => this.setTool(s.tool === id ? (id === 'vertices' ? null : 'vertices') : id),
    }, t(key));
    ui.tools = {
      draw: tool('draw', 'edit.tool_draw'),
      vertices: tool('vertices', 'edit.tool_vertices'),
      drag: tool('drag', 'edit.tool_drag'),
      cut: tool('cut', 'edit.tool_cut'),
      add: tool('add', 'edit.tool_add'),
    };
    ui.undo = h('button', { type: 'button', id: 'btn-undo', 'aria-label': t('edit.undo_label'), title: t('edit.undo_label'), onclick: () => this.undo() }, `↶ ${t('edit.undo')}`);
    ui.hint = h('p', { class: 'cp-hint', id: 'cp-edit-hint' });
    ui.area = h('p', { class: 'cp-live-area', id: 'cp-live-area', 'aria-live': 'polite' });
    ui.vertexKeys = h('p', { class: 'cp-note', id: 'cp-vertex-keys' }, t('edit.vertex_keys'));
    ui.vertexStatus = h('p', { class: 'cp-vertex-status', id: 'cp-vertex-status', role: 'status', 'aria-live': 'polite' });
    ui.messages = h('div', { class: 'cp-messages' });

    const field = (key, labelKey, control) => {
      const errId = `err-${key}`;
      control.id = `f-${key}`;
      control.setAttribute('aria-describedby', errId);
      control.addEventListener('input', () => {
        // Codes are upper case (BT-CCN-PHMT); say so by showing it while typing.
        if (key === 'code' && control.value !== control.value.toUpperCase()) {
          const at = control.selectionStart;
          control.value = control.value.toUpperCase();
          control.setSelectionRange(at, at);
        }
        s.props[key] = control.value;
      });
      control.addEventListener('change', () => { s.props[key] = control.value; });
      ui[`field_${key}`] = control;
      ui[`error_${key}`] = h('p', { class: 'cp-field-error', id: errId });
      return h('div', { class: `cp-field cp-field-${key}` },
        h('label', { for: control.id }, t(labelKey)), control, ui[`error_${key}`]);
    };
    const select = (key, values, prefix) => h('select', { name: key, value: s.props[key] },
      values.map((v) => h('option', { value: v }, t(`${prefix}.${v}`))));

    ui.save = h('button', { type: 'submit', class: 'primary', id: 'btn-save' }, t('edit.save'));
    const form = h('form', { class: 'cp-form', id: 'cp-edit-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); this.save(); } },
      field('name', 'field.name', h('input', { type: 'text', name: 'name', value: s.props.name, autocomplete: 'off', required: true })),
      field('code', 'field.code', h('input', { type: 'text', name: 'code', value: s.props.code, autocomplete: 'off', required: true, spellcheck: 'false' })),
      field('kind', 'field.kind', select('kind', KINDS, 'kind')),
      // A stored cluster changes status only through an event with its legal act (planning.js):
      // the server refuses a PUT that changes it (status-change-needs-event).
      s.mode === 'edit'
        ? [field('status', 'field.status', h('select', { name: 'status', value: s.props.status, disabled: true, 'aria-describedby': 'cp-status-note' },
          h('option', { value: s.props.status }, t(`status.${s.props.status}`)))),
        h('p', { class: 'cp-note', id: 'cp-status-note' }, t('edit.status_by_event'))]
        : field('status', 'field.status', select('status', ['in_plan'], 'status')),
      field('planned_area_ha', 'field.planned_area_ha', h('input', { type: 'number', name: 'planned_area_ha', min: '0', step: '0.01', inputmode: 'decimal', value: String(s.props.planned_area_ha ?? '') })),
      field('wwtp_capacity_m3_day', 'field.wwtp_capacity_m3_day', h('input', { type: 'number', name: 'wwtp_capacity_m3_day', min: '0', step: '1', inputmode: 'decimal', value: String(s.props.wwtp_capacity_m3_day ?? '') })),
      field('notes', 'field.notes', h('textarea', { name: 'notes', rows: '3', value: s.props.notes })),
      h('div', { class: 'cp-actions' },
        ui.save,
        h('button', { type: 'button', id: 'btn-cancel', onclick: () => this.cancel() }, t('edit.cancel'))));

    this.ui = ui;
    const body = h('div', { class: 'cp-editor' },
      ui.hint,
      h('fieldset', { class: 'cp-tools' }, h('legend', {}, t('edit.geometry')),
        h('div', { class: 'cp-tool-row' }, Object.values(ui.tools), ui.undo)),
      ui.area,
      h('p', { class: 'cp-note' }, t('edit.live_area_note')),
      ui.vertexKeys,
      ui.vertexStatus,
      ui.messages,
      form);
    queueMicrotask(() => this.#refresh());
    return body;
  }

  /** Bring the panel's dynamic parts in line with the session (no rebuild, focus is kept). */
  #refresh() {
    const s = this.session;
    const ui = this.ui;
    if (!s || !ui.hint || this.panel.kind !== 'editor') return;
    const hasShape = s.polygons.length > 0;
    for (const [id, button] of Object.entries(ui.tools)) {
      button.setAttribute('aria-pressed', String(s.tool === id));
      button.hidden = id === 'draw' ? hasShape : !hasShape;
    }
    ui.undo.disabled = !s.history.length && !DRAWING_TOOLS.has(s.tool);
    const hintKey = {
      draw: 'edit.hint_draw', add: 'edit.hint_add', cut: 'edit.hint_cut', vertices: 'edit.hint_edit', drag: 'edit.hint_drag',
    }[s.tool];
    ui.hint.textContent = hintKey ? t(hintKey) : hasShape ? '' : t('edit.no_geometry');
    ui.hint.hidden = !ui.hint.textContent;
    ui.vertexKeys.hidden = s.tool !== 'vertices' || !hasShape;
    ui.save.disabled = s.saving;
    ui.save.textContent = s.saving ? t('edit.saving') : t('edit.save');
    for (const key of Object.keys(s.props)) {
      const err = s.fieldErrors[key];
      const control = ui[`field_${key}`];
      const out = ui[`error_${key}`];
      if (!control) continue;
      out.textContent = err ?? '';
      if (err) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
    }
    this.#refreshArea();
    this.#renderMessages();
  }

  #refreshArea() {
    const s = this.session;
    if (!s || !this.ui.area) return;
    const ha = s.sketchArea ?? geo.areaHa(s.polygons);
    const { parts, holes } = geo.counts(s.polygons);
    this.ui.area.textContent = `${t('edit.live_area', { n: formatNumber(ha) })} · ${t('edit.parts', { parts, holes })}`;
  }

  #renderMessages() {
    const s = this.session;
    const out = [];
    if (s.conflict) {
      out.push(h('div', { class: 'cp-conflict', role: 'alert' },
        h('p', {}, h('strong', {}, t('error.conflict_title'))),
        h('p', {}, t('error.conflict_body')),
        h('div', { class: 'cp-actions' },
          h('button', { type: 'button', class: 'primary', id: 'btn-conflict-reload', onclick: () => this.reloadLatest() }, t('error.conflict_reload')),
          h('button', { type: 'button', id: 'btn-conflict-keep', onclick: () => this.keepEditing() }, t('error.conflict_keep')))));
    }
    if (s.error) out.push(h('p', { class: 'cp-error', role: 'alert' }, s.error));
    if (s.ruleViolation) out.push(ruleViolationBox(s.ruleViolation));
    if (s.problems.length) {
      out.push(h('div', { class: 'cp-problems', role: 'alert' },
        h('p', {}, h('strong', {}, t('error.problems_title', { n: s.problems.length }))),
        h('ol', {}, s.problems.map((p) => {
          const where = this.#problemWhere(p);
          return h('li', { class: 'cp-problem', dataset: { code: p.code ?? '' } },
            h('span', {}, this.#problemText(p)), where ? h('small', {}, ` (${where})`) : null,
            p.marker ? [' ', h('button', {
              type: 'button', class: 'link',
              onclick: () => { this.map.panTo(p.marker.getLatLng()); p.marker.openPopup(); },
            }, t('error.show_on_map'))] : null);
        })),
        h('p', { class: 'cp-note' }, t('error.problems_hint'))));
    }
    const fieldErrors = Object.keys(s.fieldErrors).filter((k) => !(k in s.props));
    for (const k of fieldErrors) out.push(h('p', { class: 'cp-error' }, `${k}: ${s.fieldErrors[k]}`));
    this.ui.messages.replaceChildren(...out);
  }

  #focusFirstError() {
    queueMicrotask(() => {
      const el = this.panel.el.querySelector('[aria-invalid="true"]') ?? this.panel.el.querySelector('.cp-messages [role="alert"]');
      if (el) (el.matches('input, select, textarea') ? el : el.querySelector('button') ?? el).focus?.();
    });
  }
}

/** The form key for a server field name (`properties.code` → `code`). */
function fieldKey(field) {
  return String(field ?? '').replace(/^properties[./]/, '').replace(/^\//, '');
}
