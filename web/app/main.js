// Entry point of the planner map: wires the modules together and owns the one piece of shared
// state, the selected feature (mirrored in the URL hash as #zoom/lat/lon/fid).

import { t, setLang, lang, initialLang, onLangChange } from './i18n.js';
import * as api from './api.js';
import { h } from './dom.js';
import { createMap, createBasemap, DEFAULT_VIEW } from './map.js';
import { LayerRegistry } from './layers.js';
import { createClustersLayer } from './clusters-layer.js';
import { Panel, detailsView } from './panel.js';
import { createSearch } from './search.js';
import { Editor } from './editing.js';
import { parseHash, syncHash } from './hash.js';
import { PlanningSheet } from './planning.js';
import { createZonesLayer } from './zones.js';
import { createTools } from './tools.js';
import { createAccount, canEdit } from './account.js';
import { historySection, clearHistoryShape } from './history.js';
import { createImporter } from './importer.js';
import { createUnitsLayer } from './units-layer.js';
import { createInvestorsLayer, createDesignationsLayer, investorsSection, createReports } from './registry.js';

setLang(initialLang());

const start = parseHash();
const map = createMap('map', start ?? DEFAULT_VIEW);
const panel = new Panel(document.getElementById('panel'));
const registry = new LayerRegistry(map);
const statusLine = document.getElementById('status-line');

let selectedId = null;
let statusTimer = null;

function notify(text, { sticky = false } = {}) {
  clearTimeout(statusTimer);
  statusLine.textContent = text;
  statusLine.hidden = !text;
  if (text && !sticky) statusTimer = setTimeout(() => { statusLine.hidden = true; }, 6000);
}

const clusters = createClustersLayer({
  onClick(id, event, { zoom = false } = {}) {
    if (editor.active) return false; // let the click reach Geoman (placing a vertex)
    if (tools.pointing) return false; // let the click reach the map: a zoning query
    select(id, { zoom });
    return true;
  },
});
registry.register(clusters);

// Investors as points on the plots they lease (accounts only; empty for the public).
const investors = createInvestorsLayer();
registry.register({ id: 'investors', titleKey: 'layers.investors', layer: investors.layer, order: 60 });
registry.register({ id: 'designations', titleKey: 'layers.designations', layer: createDesignationsLayer(), order: 58 });

const zones = createZonesLayer({ map, clusterName: (id) => clusters.get(id)?.properties?.name ?? null });
registry.register(zones);
zones.bindRefresh(() => registry.refresh());

// The selected cluster's planning sheet (status history, units, rules, tasks, status changes).
const planning = new PlanningSheet({
  map,
  notify,
  getFeature: (id) => clusters.get(id),
  onRecorded(feature) {
    clusters.upsert(feature);
    registry.refresh();
    if (selectedId === String(feature.id)) select(feature.id);
  },
});

const editor = new Editor({
  map,
  clusters,
  panel,
  notify,
  onStart() {
    planning.close(); // an expansion boundary being drawn would be in the editor's way
    clusters.setSelected(null);
  },
  onEnd({ reason, feature, id }) {
    if (reason === 'saved' || reason === 'reloaded') select(feature.id);
    else if (reason === 'cancelled' && id !== null && id !== undefined && clusters.get(id)) select(id);
    else clearSelection();
    registry.refresh();
  },
});

const hash = syncHash(map, () => selectedId, (state) => {
  if (editor.active) return;
  map.setView([state.lat, state.lon], state.zoom);
  if (state.fid && clusters.get(state.fid)) select(state.fid);
  else clearSelection();
});

function fitTo(id) {
  const bounds = clusters.boundsOf(id);
  if (!bounds) return;
  if (window.innerWidth > 800) {
    // Keep the shape clear of the side panel (left) and the layer control (right).
    map.fitBounds(bounds, { paddingTopLeft: [380, 40], paddingBottomRight: [320, 40], maxZoom: 16 });
  } else {
    // Tablets and phones: the panel is a sheet over the bottom of the map (style.css), the zoom
    // buttons, the scale and the folded layer control are at the top left (map.js, layers.js).
    // Keep the shape above the sheet and clear of the buttons.
    const below = panel.el.hidden ? 0 : map.getContainer().getBoundingClientRect().bottom - panel.el.getBoundingClientRect().top;
    map.fitBounds(bounds, { paddingTopLeft: [60, 60], paddingBottomRight: [20, Math.max(below, 0) + 20], maxZoom: 16 });
  }
}

function select(id, { zoom = false } = {}) {
  const feature = clusters.get(id);
  if (!feature) {
    clearSelection();
    return;
  }
  selectedId = String(feature.id);
  clusters.setSelected(selectedId);
  clearHistoryShape();
  const reader = (api.currentSession()?.role ?? 'public') !== 'public';
  // An officer reads drafts of its own area; elsewhere it sees the published feature only.
  const draft = reader && feature.layer !== 'published';
  panel.show(detailsView(feature, {
    onEdit: () => editor.startEdit(clusters.get(selectedId) ?? feature),
    onDelete: () => editor.confirmDelete(clusters.get(selectedId) ?? feature),
    onClose: clearSelection,
    // The planning sheet is working data: for signed-in accounts only.
    extra: () => (draft
      ? h('div', {}, planning.el, investorsSection(feature, { canEdit: canEdit(api.currentSession()), onChanged: () => investors.reload() }))
      : null),
    canEdit: canEdit(api.currentSession()) && feature.layer !== 'published',
    // Past versions are working states too: history is for accounts (comments only where an
    // officer sees the published feature).
    history: () => (reader ? historySection(feature, map, { versions: draft }) : null),
  }));
  if (draft) planning.show(selectedId);
  if (zoom) fitTo(selectedId);
  hash.write();
}

function clearSelection() {
  clearHistoryShape();
  selectedId = null;
  planning.close();
  clusters.setSelected(null);
  if (!editor.active) panel.hide();
  hash.write();
}

// Zoning at a point and the summary table (tools.js).
const tools = createTools({
  map,
  panel,
  isBusy: () => editor.active,
  onSummaryOpen() {
    planning.close();
    selectedId = null;
    clusters.setSelected(null);
    hash.write();
  },
});

map.on('click', (e) => {
  if (e.cpZoning) return;
  if (!editor.active && selectedId !== null) clearSelection();
});

createSearch({
  form: document.getElementById('search'),
  input: document.getElementById('search-input'),
  list: document.getElementById('search-results'),
  getFeatures: () => clusters.features(),
  onPick(feature) {
    if (editor.active) {
      notify(t('edit.busy'));
      return;
    }
    select(feature.id, { zoom: true });
    panel.focusTitle();
  },
});

document.getElementById('btn-draw').addEventListener('click', () => {
  if (!editor.active) {
    selectedId = null;
    hash.write();
  }
  editor.startNew();
});
const importer = createImporter({
  map,
  panel,
  notify,
  onImported() {
    clusters.load().then(() => registry.refresh())
      .catch((err) => notify(t('map.load_failed', { detail: err.message }), { sticky: true }));
  },
});
document.getElementById('btn-import').addEventListener('click', () => {
  if (editor.active) {
    notify(t('edit.busy'));
    return;
  }
  selectedId = null;
  hash.write();
  importer.start();
});
const reports = createReports({ panel });
document.getElementById('btn-report').addEventListener('click', () => {
  if (editor.active) {
    notify(t('edit.busy'));
    return;
  }
  planning.close();
  selectedId = null;
  clusters.setSelected(null);
  hash.write();
  reports.open();
});
const langButton = document.getElementById('btn-lang');
langButton.addEventListener('click', () => setLang(lang() === 'vi' ? 'en' : 'vi'));
// The button names the other language, in that language.
const markLangButton = () => { langButton.lang = lang() === 'vi' ? 'en' : 'vi'; };
markLangButton();
onLangChange(markLangButton);

window.addEventListener('beforeunload', (e) => {
  if (editor.dirty) e.preventDefault();
});

async function loadBasemap() {
  let config = null;
  try {
    config = await api.uiConfig();
  } catch {
    // No /ui-config: no basemap, nothing else is affected.
  }
  const base = await createBasemap(map, config);
  // Commune outlines: shown at once where no basemap can be drawn (none configured, or
  // unreachable on a closed network), so that the map stays readable.
  registry.register({
    id: 'units',
    titleKey: 'layers.units',
    layer: createUnitsLayer(map),
    order: 5,
    visible: !base?.reachable,
  });
  if (!base) return;
  registry.register({
    id: 'basemap',
    titleKey: 'layers.basemap',
    layer: base.layer,
    order: 0,
    visible: base.reachable,
    note: () => (base.reachable ? null : t('map.basemap_offline')),
  });
  base.layer.bringToBack();
}

// The role the clusters were last loaded as: what a layer shows depends on it (the public sees
// the published layer, accounts the draft, an officer its area's drafts over the published).
let loadedAs = null;

async function loadData() {
  notify(t('map.loading'), { sticky: true });
  try {
    loadedAs = api.currentSession()?.role ?? 'public';
    await clusters.load();
    notify('');
  } catch (err) {
    notify(t('map.load_failed', { detail: err.message }), { sticky: true });
  }
  registry.refresh();
  if (start?.fid && clusters.get(start.fid)) select(start.fid);
  document.documentElement.dataset.state = 'ready';
  // Time to first map (read by the browser tests): navigation start → the frame that paints the
  // clusters. No mark when they could not be loaded.
  if (clusters.count > 0) requestAnimationFrame(() => performance.mark('clusterplan:first-map', { detail: { features: clusters.count } }));
}

const account = createAccount(document.getElementById('account'), {
  notify,
  onChange(session) {
    // Tools the server would refuse are not offered; the server still checks every write.
    document.getElementById('btn-draw').hidden = !canEdit(session);
    document.getElementById('btn-import').hidden = !canEdit(session);
    document.getElementById('btn-report').hidden = (session?.role ?? 'public') === 'public';
    investors.reload();
    // Zones and planning sheets are for accounts: reload them for the new session.
    zones.reload();
    if (loadedAs !== null && loadedAs !== (session?.role ?? 'public')) {
      // Another role sees another layer: load the clusters again.
      loadedAs = session?.role ?? 'public';
      clusters.load().then(() => {
        registry.refresh();
        if (selectedId !== null && !editor.active) select(selectedId);
      }).catch((err) => notify(t('map.load_failed', { detail: err.message }), { sticky: true }));
      return;
    }
    if (selectedId !== null && !editor.active) select(selectedId);
  },
});

loadBasemap();
// The session first: which layer the clusters come from depends on who is signed in.
account.load().finally(loadData);
