// Administrative units (communes) as a reference layer: thin outlines with the commune's name,
// from the public collection /collections/units as valid today. It is what keeps the map
// readable on a closed network: shown at once when no basemap can be loaded, a checkbox in
// "Map layers" otherwise. Drawn in a pane below the clusters and never clickable, so it does
// not take clicks meant for features or for drawing.

import { listUnits } from './api.js';

const L = window.L;
const PANE = 'cp-reference';

export function createUnitsLayer(map) {
  if (!map.getPane(PANE)) {
    const pane = map.createPane(PANE);
    // Above tiles (200), below overlays (400).
    pane.style.zIndex = 350;
    pane.style.pointerEvents = 'none';
  }
  const layer = L.geoJSON(null, {
    pane: PANE,
    interactive: false,
    style: () => ({ className: 'cp-unit', color: '#6b7280', weight: 1, dashArray: '4 3', fill: false }),
    onEachFeature: (feature, shape) => {
      shape.bindTooltip(feature.properties?.name ?? '', {
        permanent: true,
        direction: 'center',
        className: 'cp-unit-label',
        pane: PANE,
      });
    },
  });
  let loaded = null;
  // Loaded once, the first time the layer is shown.
  layer.on('add', () => {
    loaded ??= listUnits({ level: 'commune', date: new Date().toISOString().slice(0, 10) })
      .then((features) => layer.addData(features))
      .catch(() => { loaded = null; });
  });
  return layer;
}
