// The zones layer: land-use plots inside clusters (/collections/zones/items), filled by land use,
// loaded for the visible area once the map is close enough to see them. Leased plots have a
// solid dark outline, leasable plots not yet leased a dashed one, so occupancy reads at a glance.
// Clicking a zone (or Enter on it) opens its attributes. Registered in the layer registry by main.js.

import { h } from './dom.js';
import { t, has, formatHa } from './i18n.js';
import * as api from './api.js';
import { historySection, clearHistoryShape } from './history.js';
import { LAND_USES } from './palette.js';

const L = window.L;

export { LAND_USES };
const FILL = Object.fromEntries(LAND_USES);

/** Below this zoom zones (a hectare or less) are not loaded. */
export const ZONES_MIN_ZOOM = 14;

export function zoneStyle(feature) {
  const { land_use: use, leased, leasable } = feature.properties ?? {};
  return {
    color: leased ? '#222' : '#555',
    weight: leased ? 2 : 1.5,
    dashArray: leasable && !leased ? '5 4' : null,
    fillColor: FILL[use] ?? '#999',
    fillOpacity: leased ? 0.75 : 0.45,
    opacity: 1,
  };
}

const useText = (use) => (has(`use.${use}`) ? t(`use.${use}`) : use ?? t('value.none'));
const yesNo = (v) => (v ? t('value.yes') : t('value.no'));

/** `clusterName(id)`: the name of a cluster, for the zone's attributes. */
export function createZonesLayer({ map, clusterName = () => null }) {
  if (!map.getPane('cp-zones')) {
    // Above the clusters (overlayPane, 400) so a click inside a cluster reaches its zone.
    map.createPane('cp-zones').style.zIndex = 450;
  }
  let count = 0;
  let token = 0;
  let tooFar = map.getZoom() < ZONES_MIN_ZOOM;
  const group = L.geoJSON(null, {
    pane: 'cp-zones',
    pmIgnore: true,
    snapIgnore: true,
    style: zoneStyle,
    bubblingMouseEvents: false,
    onEachFeature(feature, layer) {
      const p = feature.properties ?? {};
      // The history section grows once loaded: the popup then lays itself out and pans again,
      // so that it stays inside the map (its close button clear of the top bar).
      // The content is built once per opening: `update()` asks for it again and must get the
      // same element back, history loaded and all.
      let content = null;
      const resized = () => layer.getPopup()?.update();
      layer.bindPopup(() => content ?? (content = zonePopup(feature, clusterName(p.cluster_id), map, resized)), { autoPan: true, maxHeight: 420 });
      layer.on('popupclose', () => {
        content = null;
        clearHistoryShape();
      });
      layer.on('add', () => {
        const el = layer.getElement();
        if (!el) return;
        el.classList.add('cp-zone');
        el.dataset.zoneId = String(feature.id);
        el.dataset.landUse = p.land_use ?? '';
        el.dataset.leased = String(Boolean(p.leased));
        el.setAttribute('tabindex', '0');
        el.setAttribute('role', 'button');
        el.setAttribute('aria-label', `${t('zone.title', { label: p.label ?? feature.id })} · ${useText(p.land_use)}`);
        el.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            layer.openPopup(layer.getBounds().getCenter());
          } else if (e.key === 'Escape' && layer.isPopupOpen()) {
            // Leaflet's own Escape only works when the map container itself has the focus.
            layer.closePopup();
          }
        });
      });
    },
  });

  let entry = null;
  // A pan (the popup's own autopan among them) must not close the zone popup being read: the
  // reload waits until it is closed.
  let deferred = false;
  const popupOpen = () => group.getLayers().some((l) => l.isPopupOpen?.());
  group.on('popupclose', () => {
    if (deferred) {
      deferred = false;
      setTimeout(reload, 0);
    }
  });
  async function reload() {
    if (popupOpen()) {
      deferred = true;
      return;
    }
    const mine = ++token;
    tooFar = map.getZoom() < ZONES_MIN_ZOOM;
    // Zones are working data: shown to signed-in accounts only (the public gets 401).
    const isPublic = (api.currentSession()?.role ?? 'public') === 'public';
    if (tooFar || isPublic || !map.hasLayer(group)) {
      group.clearLayers();
      count = 0;
      entry?.refresh?.();
      return;
    }
    const b = map.getBounds().pad(0.25);
    try {
      const features = await api.listZones({ bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()] });
      if (mine !== token) return;
      if (popupOpen()) {
        deferred = true;
        return;
      }
      group.clearLayers();
      group.addData(features);
      count = features.length;
      map.getContainer().dataset.zones = String(count);
    } catch {
      // Zones are an extra: the clusters stay usable; the legend tells nothing was loaded.
      if (mine !== token) return;
      group.clearLayers();
      count = 0;
    }
    entry?.refresh?.();
  }

  let timer = null;
  map.on('moveend', () => {
    clearTimeout(timer);
    timer = setTimeout(reload, 150);
  });
  group.on('add', () => reload());

  return {
    id: 'zones',
    titleKey: 'layers.zones',
    layer: group,
    order: 60,
    reload,
    /** Set by main.js: redraw the legend after a load. */
    bindRefresh(fn) { entry = { refresh: fn }; },
    note: () => (tooFar ? t('zones.zoom_in', { z: ZONES_MIN_ZOOM }) : null),
    // Only once zones are drawn: until then the note says to zoom in.
    legend: () => (tooFar ? null : h('div', { class: 'cp-legend cp-zones-legend' },
      h('ul', {}, LAND_USES.map(([use, color]) => h('li', { dataset: { landUse: use } },
        h('span', { class: 'cp-swatch', style: { background: color, borderColor: '#555' } }), useText(use)))),
      h('ul', {},
        h('li', {}, h('span', { class: 'cp-swatch', style: { background: '#ccc', borderColor: '#222', borderStyle: 'solid' } }), t('zones.leased')),
        h('li', {}, h('span', { class: 'cp-swatch', style: { background: '#eee', borderColor: '#555', borderStyle: 'dashed' } }), t('zones.unleased'))),
      h('p', { class: 'cp-legend-count' }, t('zones.count', { n: count })))),
  };
}

function zonePopup(feature, clusterName, map, resized) {
  const p = feature.properties ?? {};
  const row = (key, value, cls) => [h('dt', {}, t(key)), h('dd', cls ? { class: cls } : {}, value)];
  return h('div', { class: 'cp-zone-popup', dataset: { zoneId: String(feature.id) } },
    h('strong', {}, t('zone.title', { label: p.label ?? feature.id })),
    h('dl', {},
      row('zone.land_use', useText(p.land_use), 'cp-zone-use'),
      row('zone.cluster', clusterName ?? String(p.cluster_id ?? t('value.none'))),
      row('zone.area', formatHa(p.area_ha)),
      row('zone.leasable', yesNo(p.leasable)),
      row('zone.leased', yesNo(p.leased), 'cp-zone-leased'),
      row('zone.tenant', p.tenant || t('value.none'), 'cp-zone-tenant')),
    // Zones are read by accounts only, so whoever sees the popup may read its history.
    historySection(feature, map, { collection: 'zones', pane: 'cp-zones', resized }));
}
