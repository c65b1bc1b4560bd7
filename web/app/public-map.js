// The public, read-only map of a collection's published layer (served at
// /collections/{id}/map, embeddable in an iframe). No editing: only Leaflet, no Geoman.

const root = document.getElementById('map');
const collection = root.dataset.collection;
const basemap = JSON.parse(root.dataset.basemap || 'null');

function text(value) {
  const span = document.createElement('span');
  span.textContent = value ?? '';
  return span.innerHTML;
}

async function main() {
  // Leaflet is a classic deferred script; modules run after it.
  const map = L.map(root, { zoomControl: true }).setView([10.24, 106.38], 11);
  if (basemap) {
    L.tileLayer(basemap.url, { attribution: text(basemap.attribution), maxZoom: 19 }).addTo(map);
  }
  const [meta, items] = await Promise.all([
    fetch(`/collections/${collection}?layer=published`).then((r) => r.json()),
    fetch(`/collections/${collection}/items?layer=published&limit=10000`).then((r) => r.json()),
  ]);
  document.getElementById('title').textContent = meta.title ?? collection;
  document.title = meta.title ?? collection;
  if (meta.attribution) map.attributionControl.addAttribution(text(meta.attribution));
  const layer = L.geoJSON(items, {
    style: () => ({ color: '#b45309', weight: 2, fillOpacity: 0.25 }),
    onEachFeature: (feature, l) => {
      const p = feature.properties;
      l.bindPopup(`<strong>${text(p.name)}</strong><br>${text(p.code)} · ${text(p.status)}<br>${text(p.area_ha)} ha`);
    },
  }).addTo(map);
  if (items.features.length > 0) map.fitBounds(layer.getBounds(), { padding: [20, 20] });
  document.documentElement.dataset.features = String(items.features.length);
  document.documentElement.dataset.state = 'ready';
}

main().catch((err) => {
  document.documentElement.dataset.state = 'error';
  console.error(err);
});
