// Map setup: the Leaflet map, its plain controls, and the basemap from /ui-config. The basemap is
// optional decoration: with `url: null`, or when its tiles cannot be fetched (offline), the map
// still shows every data layer on a plain background.

import { t, onLangChange } from './i18n.js';

const L = window.L;

/**
 * Tablets held upright and phones (the same 800 px as style.css): the panel is a sheet over the
 * bottom of the map, and the map's controls gather in the top left corner.
 */
export const NARROW = window.matchMedia('(max-width: 800px)');

/** Bến Tre, the province the demo data and the 1998 seed plan are about. */
export const DEFAULT_VIEW = { lat: 10.24, lon: 106.4, zoom: 11 };

export function createMap(container, view = DEFAULT_VIEW) {
  const map = L.map(container, {
    center: [view.lat, view.lon],
    zoom: view.zoom,
    minZoom: 3,
    maxZoom: 19,
    zoomControl: false,
    keyboard: true,
    // Leaflet-Geoman runs opt-in (see editing.js): the map itself must ask for it.
    pmIgnore: false,
  });
  const zoom = L.control.zoom({ position: 'bottomright' }).addTo(map);
  const scale = L.control.scale({ position: 'bottomright', imperial: false, maxWidth: 160 }).addTo(map);
  // On tablets and phones the zoom buttons and the scale go to the top left, where the panel's
  // sheet never comes; the layer control follows them there (layers.js), so the three stack in
  // one corner and never overlap.
  const place = () => {
    const corner = NARROW.matches ? 'topleft' : 'bottomright';
    zoom.setPosition(corner);
    scale.setPosition(corner);
  };
  place();
  NARROW.addEventListener('change', place);

  // Leaflet's zoom buttons carry English titles; give them ours.
  const labelZoom = () => {
    const buttons = zoom.getContainer();
    for (const [sel, key] of [['.leaflet-control-zoom-in', 'map.zoom_in'], ['.leaflet-control-zoom-out', 'map.zoom_out']]) {
      const a = buttons.querySelector(sel);
      a.title = t(key);
      a.setAttribute('aria-label', t(key));
    }
  };
  labelZoom();
  onLangChange(labelZoom);
  return map;
}

/**
 * Resolve the basemap described by `config.basemap` into a tile layer, or null when there is
 * none or it cannot be reached. One probe tile is fetched first so that an offline browser logs
 * a single failed request instead of a screenful, and the map never waits on the basemap.
 */
export async function createBasemap(map, config) {
  const base = config?.basemap;
  if (!base?.url) return null;
  const layer = L.tileLayer(base.url, {
    attribution: base.attribution ?? '',
    maxZoom: 19,
    crossOrigin: false,
  });
  const reachable = await basemapReachable(base.url, map);
  return { layer, reachable };
}

/**
 * Whether the basemap's tile at the map's centre can be fetched: one probe, so that an offline
 * browser logs a single failed request, and a verdict within 8 s at most.
 */
export function basemapReachable(template, map) {
  const zoom = Math.min(Math.max(Math.round(map.getZoom()), 0), 19);
  const p = map.project(map.getCenter(), zoom).divideBy(256).floor();
  const url = L.Util.template(template, { s: 'a', z: zoom, x: p.x, y: p.y, r: '' });
  return new Promise((resolve) => {
    const img = new Image();
    const timer = setTimeout(() => done(false), 8000);
    function done(ok) {
      clearTimeout(timer);
      img.onload = img.onerror = null;
      resolve(ok);
    }
    img.onload = () => done(true);
    img.onerror = () => done(false);
    img.src = url;
  });
}
