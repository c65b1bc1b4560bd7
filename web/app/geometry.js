// Geometry helpers for the editor. A drawing is held as a list of polygons in GeoJSON order
// (lon/lat, each polygon = [outer ring, ...holes], rings closed), which maps one-to-one onto a
// GeoJSON Polygon (one part) or MultiPolygon (several).

// Radius of the sphere with the WGS 84 ellipsoid's area: good to a few tenths of a percent,
// enough for the live hint while drawing. The area that counts is computed by the server.
const AUTHALIC_RADIUS = 6371007.181;
const RAD = Math.PI / 180;

/** Area in m² of a ring of [lon, lat] (closed or not), on the authalic sphere. */
export function ringArea(ring) {
  const n = ring.length;
  if (n < 3) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[(i + 1) % n];
    sum += (x2 - x1) * RAD * (2 + Math.sin(y1 * RAD) + Math.sin(y2 * RAD));
  }
  return Math.abs((sum * AUTHALIC_RADIUS * AUTHALIC_RADIUS) / 2);
}

/** Area in hectares of a list of polygons (holes subtracted). */
export function areaHa(polygons) {
  let m2 = 0;
  for (const [outer, ...holes] of polygons) {
    m2 += ringArea(outer);
    for (const hole of holes) m2 -= ringArea(hole);
  }
  return m2 / 10000;
}

/** Polygons of any GeoJSON geometry, feature or feature collection (other types ignored). */
export function polygonsOf(geojson) {
  if (!geojson) return [];
  switch (geojson.type) {
    case 'FeatureCollection': return geojson.features.flatMap(polygonsOf);
    case 'Feature': return polygonsOf(geojson.geometry);
    case 'GeometryCollection': return geojson.geometries.flatMap(polygonsOf);
    case 'Polygon': return [geojson.coordinates];
    case 'MultiPolygon': return geojson.coordinates;
    default: return [];
  }
}

export function toGeometry(polygons) {
  if (!polygons.length) return null;
  return polygons.length === 1
    ? { type: 'Polygon', coordinates: polygons[0] }
    : { type: 'MultiPolygon', coordinates: polygons };
}

/** Leaflet latlngs for L.polygon: rings without the closing position. */
export function toLatLngs(polygons) {
  const ring = (r) => {
    const open = r.length > 1 && r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1] ? r.slice(0, -1) : r;
    return open.map(([lon, lat]) => [lat, lon]);
  };
  const polys = polygons.map((p) => p.map(ring));
  return polys.length === 1 ? polys[0] : polys;
}

/** Copy (so history snapshots never share arrays with live layers). */
export function clone(polygons) {
  return JSON.parse(JSON.stringify(polygons));
}

export function counts(polygons) {
  return { parts: polygons.length, holes: polygons.reduce((n, p) => n + Math.max(p.length - 1, 0), 0) };
}

/** [lon, lat] of vertex `vertex` of ring `ring` of polygon `polygon`, or null. */
export function vertexAt(polygons, { polygon = 0, ring = 0, vertex } = {}) {
  const p = polygons[polygon ?? 0];
  const r = p && p[ring ?? 0];
  const v = r && Number.isInteger(vertex) ? r[vertex] : null;
  return Array.isArray(v) && v.length >= 2 ? v : null;
}
