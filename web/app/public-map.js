// The public, read-only map of the published plan (served at /collections/{id}/map, embeddable
// in an iframe). No editing: only Leaflet, no Geoman, and every request anonymous, so it shows
// exactly what the public may see: the published clusters and zones. Search by name or code
// without diacritics, a click anywhere asks /zoning (the published plan at that point), a legend
// of status colours and land uses, a share link (the view in the URL), Vietnamese first with an
// English switch.

import { h } from './dom.js';
import { t, has, setLang, initialLang, lang, onLangChange, translateDom, formatHa } from './i18n.js';
import { createSearch } from './search.js';
import { parseHash, syncHash } from './hash.js';
import { STATUSES, LAND_USES } from './palette.js';
import { createUnitsLayer } from './units-layer.js';
import { basemapReachable } from './map.js';
import { createDesignationsLayer } from './registry.js';

const root = document.getElementById('map');
const collection = root.dataset.collection;
const basemap = JSON.parse(root.dataset.basemap || 'null');
const STATUS_COLOR = Object.fromEntries(STATUSES);
const USE_FILL = Object.fromEntries(LAND_USES);

const statusText = (code) => (has(`status.${code}`) ? t(`status.${code}`) : code ?? t('value.none'));
const useText = (code) => (has(`use.${code}`) ? t(`use.${code}`) : code ?? t('value.none'));

async function getJson(url) {
  // `omit`: the public map reads as the public, also in a browser signed in to the planner map.
  const response = await fetch(url, { credentials: 'omit', headers: { Accept: 'application/json' } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.detail ?? `${response.status}`);
  return body;
}

/** The popup's content for a /zoning answer (or, without one, the clicked feature's). */
function zoningContent(answer, latlng) {
  const rows = [];
  const clusters = answer?.clusters ?? [];
  for (const c of clusters) {
    rows.push(h('div', { class: 'pm-cluster', dataset: { code: c.code } },
      h('strong', {}, c.name),
      h('div', { class: 'pm-code' }, c.code),
      h('div', { class: 'pm-row' }, h('span', { class: 'pm-key' }, `${t('public.status')}: `),
        h('span', { class: 'pm-status', dataset: { status: c.status } },
          h('span', { class: 'pm-swatch', style: { background: STATUS_COLOR[c.status] ?? '#555' }, 'aria-hidden': 'true' }),
          statusText(c.status))),
      ...c.zones.map((z) => h('div', { class: 'pm-row pm-zone', dataset: { landUse: z.land_use } },
        h('span', { class: 'pm-key' }, `${t('public.land_use')}: `),
        h('span', { class: 'pm-use' },
          h('span', { class: 'pm-swatch', style: { background: USE_FILL[z.land_use] ?? '#999' }, 'aria-hidden': 'true' }),
          useText(z.land_use)),
        z.label ? h('span', { class: 'pm-label' }, ` · ${t('public.zone')} ${z.label} · ${formatHa(z.area_ha)}`) : null))));
  }
  if (clusters.length === 0) rows.push(h('p', { class: 'pm-nothing' }, t('public.nothing')));
  const units = answer?.units ?? [];
  if (units.length) {
    rows.push(h('div', { class: 'pm-units' }, h('span', { class: 'pm-key' }, `${t('public.units')}: `),
      units.map((u) => u.name).join(' · ')));
  }
  rows.push(h('div', { class: 'pm-point' },
    t('public.point', { lat: latlng.lat.toFixed(5), lon: latlng.lng.toFixed(5) })));
  return h('div', { class: 'pm-popup' }, ...rows);
}

/** A north arrow (Web Mercator maps are north-up), for the screen and for print. */
function northArrow() {
  const control = L.control({ position: 'topright' });
  control.onAdd = () => {
    const el = h('div', { class: 'pm-north', role: 'img' });
    el.innerHTML = '<svg viewBox="0 0 24 36" width="24" height="36" aria-hidden="true"><path d="M12 2 L20 22 L12 17 L4 22 Z" fill="#1d1d1d"/><text x="12" y="34" text-anchor="middle" font-size="11" font-family="sans-serif" font-weight="700">N</text></svg>';
    const label = () => el.setAttribute('aria-label', t('public.north'));
    label();
    onLangChange(label);
    return el;
  };
  return control;
}

function legendControl() {
  const control = L.control({ position: 'bottomright' });
  control.onAdd = () => {
    const details = h('details', { class: 'pm-legend', id: 'legend' });
    // Open on a wide screen; on a phone it stays a button until asked.
    details.open = window.innerWidth >= 700;
    const render = () => details.replaceChildren(
      h('summary', {}, t('public.legend')),
      h('h2', {}, t('public.legend_status')),
      h('ul', {}, STATUSES.map(([code, color]) => h('li', { dataset: { status: code } },
        h('span', { class: 'pm-swatch', style: { background: color }, 'aria-hidden': 'true' }), statusText(code)))),
      h('h2', {}, t('public.legend_use')),
      h('ul', {}, LAND_USES.map(([code, color]) => h('li', { dataset: { landUse: code } },
        h('span', { class: 'pm-swatch', style: { background: color }, 'aria-hidden': 'true' }), useText(code)))),
    );
    render();
    onLangChange(render);
    L.DomEvent.disableClickPropagation(details);
    L.DomEvent.disableScrollPropagation(details);
    return details;
  };
  return control;
}

async function main() {
  setLang(new URLSearchParams(location.search).get('lang') ?? initialLang());
  const langButton = document.getElementById('lang');
  langButton.addEventListener('click', () => setLang(lang() === 'vi' ? 'en' : 'vi'));

  // Leaflet is a classic deferred script; modules run after it.
  const start = parseHash();
  const map = L.map(root, { zoomControl: true }).setView(start ? [start.lat, start.lon] : [10.24, 106.38], start?.zoom ?? 11);
  L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(map);
  const tiles = basemap
    ? L.tileLayer(basemap.url, { attribution: basemap.attribution ? h('span', {}, basemap.attribution).innerHTML : '', maxZoom: 19 })
    : null;
  const published = collection === 'clusters' ? '?layer=published' : '';
  const [meta, items, zones] = await Promise.all([
    getJson(`/collections/${collection}${published}`),
    getJson(`/collections/${collection}/items${published ? `${published}&` : '?'}limit=10000`),
    collection === 'clusters' ? getJson('/collections/zones/items?layer=published&limit=10000') : { features: [] },
  ]);
  const title = document.getElementById('title');
  const setTitle = () => {
    title.textContent = meta.title ?? t('public.title');
    document.title = `${title.textContent} · ${t('public.title')}`;
  };
  setTitle();
  onLangChange(setTitle);
  if (meta.attribution) map.attributionControl.addAttribution(h('span', {}, meta.attribution).innerHTML);

  const popup = L.popup({ maxWidth: Math.min(320, window.innerWidth - 60), autoPanPadding: [12, 12] });
  let asked = 0;
  let shown = null;
  async function showAt(latlng, feature) {
    const mine = ++asked;
    popup.setLatLng(latlng).setContent(h('div', { class: 'pm-popup' }, t('public.loading'))).openOn(map);
    let answer;
    try {
      answer = await getJson(`/zoning?lon=${latlng.lng}&lat=${latlng.lat}&layer=published`);
    } catch (err) {
      if (mine === asked) popup.setContent(h('div', { class: 'pm-popup pm-error' }, t('public.failed', { detail: err.message })));
      return;
    }
    if (mine !== asked) return;
    // A click that reached a published feature but no point of it (a keyboard or synthetic
    // click) still names the feature.
    if (!answer.clusters.length && feature) {
      const p = feature.properties;
      answer = { ...answer, clusters: [{ name: p.name, code: p.code, status: p.status, zones: [] }] };
    }
    shown = { answer, latlng };
    popup.setContent(zoningContent(answer, latlng));
    document.documentElement.dataset.popup = answer.clusters.length ? 'planned' : 'nothing';
  }
  // The answer shown is read again in the language chosen.
  onLangChange(() => {
    if (shown && popup.isOpen()) popup.setContent(zoningContent(shown.answer, shown.latlng));
  });

  const clusters = L.geoJSON(items, {
    style: (f) => ({ className: 'pm-cluster-shape', color: STATUS_COLOR[f.properties.status] ?? '#555', weight: 2, fillOpacity: 0.15 }),
    onEachFeature: (feature, l) => l.on('click', (e) => {
      L.DomEvent.stop(e);
      showAt(e.latlng, feature);
    }),
  }).addTo(map);
  const zoneLayer = L.geoJSON(zones, {
    style: (f) => ({ className: 'pm-zone-shape', color: '#555', weight: 1, fillColor: USE_FILL[f.properties.land_use] ?? '#999', fillOpacity: 0.7 }),
    onEachFeature: (feature, l) => l.on('click', (e) => {
      L.DomEvent.stop(e);
      showAt(e.latlng, null);
    }),
  }).addTo(map);
  map.on('click', (e) => showAt(e.latlng, null));
  // Reference layers, each a checkbox: the basemap; the commune outlines (units-layer.js, the
  // planner map's), drawn at once where no basemap can be (none configured, or its tiles
  // unreachable on a closed network) so that the map stays readable; the craft villages and
  // pilot communes. The basemap is probed without holding up the plan's layers.
  const units = createUnitsLayer(map);
  const designations = createDesignationsLayer();
  designations.addTo(map);
  const reference = [[tiles, 'layers.basemap'], [units, 'layers.units'], [designations, 'layers.designations']]
    .filter(([layer]) => layer);
  const overlays = L.control.layers(null, {}, { collapsed: true, position: 'topright' }).addTo(map);
  const labelOverlays = () => {
    for (const [layer] of reference) overlays.removeLayer(layer);
    for (const [layer, key] of reference) overlays.addOverlay(layer, t(key));
  };
  labelOverlays();
  onLangChange(labelOverlays);
  (tiles ? basemapReachable(basemap.url, map) : Promise.resolve(false)).then((reachable) => {
    if (reachable) tiles.addTo(map).bringToBack();
    else units.addTo(map);
    document.documentElement.dataset.basemap = !tiles ? 'none' : reachable ? 'shown' : 'unreachable';
  });
  // Not animated: a zoom animation still running would swallow the first search pick's move.
  if (items.features.length > 0 && !start) map.fitBounds(clusters.getBounds(), { padding: [20, 20], animate: false });
  const legend = legendControl().addTo(map);
  northArrow().addTo(map);

  // Print (A4, `@media print` in public-map.css): the legend open, the map resized to the page.
  let legendWasOpen = null;
  window.addEventListener('beforeprint', () => {
    const details = legend.getContainer();
    // Once per print, also when a print preview asks again.
    if (legendWasOpen === null) legendWasOpen = details.open;
    details.open = true;
    map.invalidateSize();
  });
  window.addEventListener('afterprint', () => {
    if (legendWasOpen !== null) legend.getContainer().open = legendWasOpen;
    legendWasOpen = null;
    map.invalidateSize();
  });
  document.getElementById('print').addEventListener('click', () => window.print());

  createSearch({
    form: document.getElementById('search'),
    input: document.getElementById('q'),
    list: document.getElementById('results'),
    getFeatures: () => items.features,
    onPick: (f) => {
      const shape = clusters.getLayers().find((l) => l.feature === f);
      if (shape) map.fitBounds(shape.getBounds(), { padding: [24, 24], maxZoom: 17 });
      document.documentElement.dataset.picked = f.properties.code;
    },
  });

  syncHash(map, () => null, (state) => map.setView([state.lat, state.lon], state.zoom));
  const share = document.getElementById('share');
  share.addEventListener('click', async () => {
    const url = new URL(location.href);
    url.searchParams.set('lang', lang());
    history.replaceState(history.state, '', url);
    try {
      await navigator.clipboard.writeText(url.href);
      share.textContent = t('public.share_copied');
    } catch {
      window.prompt(t('public.share_label'), url.href);
    }
    setTimeout(() => translateDom(share.parentElement), 2000);
  });

  document.documentElement.dataset.features = String(items.features.length);
  document.documentElement.dataset.zones = String(zones.features.length);
  document.documentElement.dataset.zoneLayers = String(zoneLayer.getLayers().length);
  document.documentElement.dataset.state = 'ready';
}

main().catch((err) => {
  document.documentElement.dataset.state = 'error';
  console.error(err);
});
