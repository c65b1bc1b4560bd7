// The clusters layer: industrial clusters (CCN) and industrial parks (KCN) from
// /collections/clusters/items, filled by status; parks drawn with a dashed outline and a lighter
// fill so the two legal regimes never look alike. Registered in the layer registry by main.js.

import { h } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { STATUSES } from './palette.js';

const L = window.L;

export { STATUSES };

export const KINDS = ['cluster', 'industrial_park'];

const COLOR = Object.fromEntries(STATUSES);
const SELECTED = '#0b2a66';

export function styleFor(feature, { hover = false, selected = false } = {}) {
  const { status, kind } = feature.properties ?? {};
  const color = COLOR[status] ?? '#555';
  const park = kind === 'industrial_park';
  return {
    color: selected ? SELECTED : color,
    weight: selected ? 4 : hover ? 3.5 : 2,
    opacity: 1,
    dashArray: park ? '9 6' : null,
    fillColor: color,
    fillOpacity: (park ? 0.12 : 0.35) + (hover || selected ? 0.15 : 0),
  };
}

/**
 * Build the layer. `onClick(id, leafletEvent, { zoom })` is called when a feature (or its point
 * symbol, with zoom: true) is clicked; it returns true when it handled the click (the map then
 * does not see it).
 */
/** Below this zoom a cluster (10–75 ha, a few pixels wide) is also drawn as a point symbol. */
export const POINT_ZOOM = 13;

export function pointStyleFor(feature, { selected = false } = {}) {
  const { status, kind } = feature.properties ?? {};
  const color = COLOR[status] ?? '#555';
  const park = kind === 'industrial_park';
  return {
    radius: park ? 8 : 6,
    color: selected ? SELECTED : park ? '#333' : '#fff',
    weight: selected ? 3 : 1.5,
    dashArray: park ? '3 3' : null,
    fillColor: color,
    fillOpacity: 0.9,
  };
}

export function createClustersLayer({ onClick }) {
  const byId = new Map();
  const points = new Map();
  let selectedId = null;
  let hoverId = null;
  const pointLayer = L.layerGroup();
  // Polygons and point symbols travel together in the registry as one layer.
  const container = L.featureGroup();

  const group = L.geoJSON(null, {
    // Not editable itself (editing works on a copy), but other shapes snap to it.
    pmIgnore: true,
    snapIgnore: false,
    style: (f) => styleFor(f),
    onEachFeature(feature, layer) {
      byId.set(String(feature.id), layer);
      layer.bindTooltip(() => feature.properties.name, { sticky: true, direction: 'top', className: 'cp-hover-label' });
      layer.on('add', () => {
        const el = layer.getElement();
        if (el) {
          el.classList.add('cp-feature', `cp-kind-${feature.properties.kind}`);
          el.dataset.fid = String(feature.id);
        }
      });
      layer.on('mouseover', () => { hoverId = String(feature.id); restyle(layer); });
      layer.on('mouseout', () => { hoverId = null; restyle(layer); });
      layer.on('click', (e) => {
        if (onClick(String(feature.id), e)) L.DomEvent.stop(e);
      });
    },
  });
  container.addLayer(group);

  function addPoint(feature, layer) {
    const id = String(feature.id);
    const point = L.circleMarker(layer.getBounds().getCenter(), {
      ...pointStyleFor(feature),
      pmIgnore: true,
      snapIgnore: true,
      className: 'cp-point',
    });
    point.feature = feature;
    point.on('add', () => {
      const el = point.getElement();
      if (el) el.dataset.fid = id;
    });
    point.bindTooltip(() => feature.properties.name, { direction: 'top', className: 'cp-hover-label' });
    point.on('click', (e) => {
      if (onClick(id, e, { zoom: true })) L.DomEvent.stop(e);
    });
    points.set(id, point);
    pointLayer.addLayer(point);
  }

  function updatePoints() {
    const map = container._map;
    if (!map) return;
    const show = map.getZoom() < POINT_ZOOM;
    if (show && !container.hasLayer(pointLayer)) container.addLayer(pointLayer);
    if (!show && container.hasLayer(pointLayer)) container.removeLayer(pointLayer);
  }
  container.on('add', () => {
    container._map.on('zoomend', updatePoints);
    updatePoints();
  });
  container.on('remove', (e) => e.target._map?.off('zoomend', updatePoints));

  function restyle(layer) {
    const id = String(layer.feature.id);
    layer.setStyle(styleFor(layer.feature, { hover: id === hoverId, selected: id === selectedId }));
    if (id === selectedId && layer._map) layer.bringToFront();
    const point = points.get(id);
    if (point) {
      point.setStyle(pointStyleFor(layer.feature, { selected: id === selectedId }));
      if (id === selectedId && point._map) point.bringToFront();
    }
  }

  function add(feature) {
    group.addData(feature);
    const layer = byId.get(String(feature.id));
    addPoint(feature, layer);
    restyle(layer);
  }

  const self = {
    id: 'clusters',
    titleKey: 'layers.clusters',
    order: 10,
    layer: container,
    count: 0,

    async load() {
      const features = await api.listClusters();
      group.clearLayers();
      pointLayer.clearLayers();
      byId.clear();
      points.clear();
      // Parks first so that clusters, usually smaller, stay on top and clickable.
      features.sort((a, b) => (a.properties.kind === 'industrial_park' ? 0 : 1) - (b.properties.kind === 'industrial_park' ? 0 : 1));
      for (const f of features) add(f);
      self.count = features.length;
    },

    features() {
      return [...byId.values()].map((l) => l.feature);
    },
    get(id) {
      return byId.get(String(id))?.feature ?? null;
    },
    layerOf(id) {
      return byId.get(String(id)) ?? null;
    },
    boundsOf(id) {
      return byId.get(String(id))?.getBounds() ?? null;
    },

    setSelected(id) {
      const prev = selectedId;
      selectedId = id === null || id === undefined ? null : String(id);
      for (const key of [prev, selectedId]) {
        const layer = key && byId.get(key);
        if (layer) restyle(layer);
      }
    },

    /** Replace (or add) one feature with the server's latest copy. */
    upsert(feature) {
      self.remove(feature.id);
      add(feature);
      self.count = byId.size;
    },
    remove(id) {
      const key = String(id);
      const layer = byId.get(key);
      if (layer) {
        group.removeLayer(layer);
        byId.delete(key);
      }
      const point = points.get(key);
      if (point) {
        pointLayer.removeLayer(point);
        points.delete(key);
      }
      self.count = byId.size;
    },
    /** Hide one feature while an editable copy of it is on the map. */
    hide(id) {
      const layer = byId.get(String(id));
      if (layer) group.removeLayer(layer);
      const point = points.get(String(id));
      if (point) pointLayer.removeLayer(point);
    },
    show(id) {
      const layer = byId.get(String(id));
      if (layer && !group.hasLayer(layer)) {
        group.addLayer(layer);
        restyle(layer);
      }
      const point = points.get(String(id));
      if (point && !pointLayer.hasLayer(point)) pointLayer.addLayer(point);
    },

    legend() {
      return h('div', { class: 'cp-legend' },
        h('p', { class: 'cp-legend-head' }, t('legend.status')),
        h('ul', {}, STATUSES.map(([status, color]) => h('li', {},
          h('span', { class: 'cp-swatch', style: { background: color, borderColor: color }, 'aria-hidden': 'true' }),
          t(`status.${status}`)))),
        h('p', { class: 'cp-legend-head' }, t('legend.kind')),
        h('ul', {},
          h('li', {}, h('span', { class: 'cp-swatch cp-swatch-cluster', 'aria-hidden': 'true' }), t('kind.cluster')),
          h('li', {}, h('span', { class: 'cp-swatch cp-swatch-park', 'aria-hidden': 'true' }), t('kind.industrial_park'))),
        h('p', { class: 'cp-legend-count' }, t('legend.count', { n: self.count })));
    },
  };
  return self;
}
