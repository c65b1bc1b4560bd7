// The URL hash keeps the view and the selected feature, `#zoom/lat/lon[/fid]`, so a link or a
// reload shows the same place. Written with replaceState (panning does not flood the history).

/** Parse `#z/lat/lon/fid`; null when the hash is not a view. */
export function parseHash(hash = location.hash) {
  const parts = hash.replace(/^#/, '').split('/');
  if (parts.length < 3) return null;
  const [zoom, lat, lon] = parts.slice(0, 3).map(Number);
  if (![zoom, lat, lon].every(Number.isFinite)) return null;
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180 || zoom < 0 || zoom > 22) return null;
  const fid = parts[3] ? decodeURIComponent(parts[3]) : null;
  return { zoom: Math.round(zoom), lat, lon, fid };
}

export function formatHash(map, fid) {
  const c = map.getCenter();
  const z = map.getZoom();
  // 5 decimals ≈ 1 m, enough for any zoom the map allows.
  const base = `#${z}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`;
  return fid === null || fid === undefined ? base : `${base}/${encodeURIComponent(fid)}`;
}

/**
 * Keep the hash in step with `map` and `getSelected()`; call `onExternalChange(state)` when the
 * user edits the hash by hand (or goes back to an older one).
 */
export function syncHash(map, getSelected, onExternalChange) {
  let written = location.hash;
  const write = () => {
    const next = formatHash(map, getSelected());
    if (next !== location.hash) history.replaceState(history.state, '', next);
    written = next;
  };
  map.on('moveend', write);
  window.addEventListener('hashchange', () => {
    if (location.hash === written) return;
    const state = parseHash();
    if (state) onExternalChange(state);
  });
  return { write };
}
