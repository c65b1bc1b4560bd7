// The small map of the OGC API HTML views (collection, items, item): draws the GeoJSON or the
// bounding box the server put in the page's data attributes. Leaflet only, from /vendor.

const root = document.getElementById('map');

function text(value) {
  const span = document.createElement('span');
  span.textContent = value ?? '';
  return span.innerHTML;
}

function main() {
  const basemap = JSON.parse(root.dataset.basemap || 'null');
  const map = L.map(root).setView([10.24, 106.38], 10);
  if (basemap) {
    L.tileLayer(basemap.url, { attribution: text(basemap.attribution), maxZoom: 19 }).addTo(map);
  }
  let layer;
  if (root.dataset.geojson) {
    layer = L.geoJSON(JSON.parse(root.dataset.geojson), {
      style: () => ({ color: '#b45309', weight: 2, fillOpacity: 0.25 }),
      onEachFeature: (feature, l) => {
        const p = feature.properties ?? {};
        l.bindPopup(`<strong>${text(p.name)}</strong><br>${text(p.code)} · ${text(p.status)}`);
      },
    }).addTo(map);
  } else if (root.dataset.bbox) {
    const [w, s, e, n] = JSON.parse(root.dataset.bbox);
    layer = L.rectangle([[s, w], [n, e]], { color: '#b45309', weight: 2, fillOpacity: 0.1 }).addTo(map);
  }
  if (layer && layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [20, 20] });
  document.documentElement.dataset.state = 'ready';
}

try {
  main();
} catch (err) {
  document.documentElement.dataset.state = 'error';
  console.error(err);
}
