// Client for clusterplan's public HTTP API. The UI talks to the server only through these
// functions, like any other client would. Failures become ApiError carrying the RFC 9457
// problem document (when the server sent one).

const COLLECTION = '/collections/clusters/items';
const PAGE_SIZE = 1000;

export class ApiError extends Error {
  constructor(status, problem, message) {
    super(message ?? problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
    /** HTTP status, or 0 when the server could not be reached. */
    this.status = status;
    /** The problem+json body, or {} when there was none. */
    this.problem = problem ?? {};
  }
}

/**
 * Who the map is logged in as: { name, role, unit, csrf } (role 'public' and csrf null when
 * nobody is). The session itself is an HttpOnly cookie the browser sends; writes echo its
 * CSRF token in X-CSRF-Token, which a page of another site cannot read.
 */
let session = { name: null, role: 'public', unit: null, csrf: null };

export function currentSession() {
  return session;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

async function request(url, { method = 'GET', body, headers = {} } = {}) {
  let res;
  const csrf = UNSAFE.has(method) && session.csrf ? { 'X-CSRF-Token': session.csrf } : {};
  try {
    res = await fetch(url, {
      method,
      headers: { Accept: 'application/geo+json, application/json;q=0.9, application/problem+json;q=0.8', ...csrf, ...headers },
      body,
      credentials: 'same-origin',
    });
  } catch (err) {
    throw new ApiError(0, {}, err.message);
  }
  if (res.ok) return res;
  let problem = {};
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try { problem = await res.json(); } catch { /* body was not JSON after all */ }
  } else {
    try { problem = { detail: (await res.text()).slice(0, 300) }; } catch { /* ignore */ }
  }
  throw new ApiError(res.status, problem);
}

/**
 * Sends a file to the import: the preview with `dryRun`, else the import itself. `mapping`
 * (source field → property or null) overrides the server's guesses.
 */
export async function importFile(bytes, { dryRun, filename, mapping, options = {} }) {
  const params = new URLSearchParams({ dry_run: String(dryRun), filename });
  if (mapping) params.set('mapping', JSON.stringify(mapping));
  // layer (a GeoPackage table, a sheet), code and axis_order (a coordinate table), when set.
  for (const [key, value] of Object.entries(options)) if (value) params.set(key, value);
  const res = await request(`/collections/clusters/import?${params}`, {
    method: 'POST',
    body: bytes,
    headers: { 'Content-Type': 'application/octet-stream' },
  });
  return res.json();
}

/** Version from an ETag header such as `"3"` or `W/"3"`. */
function etagVersion(res) {
  const tag = res.headers.get('etag');
  const m = tag && tag.match(/"([^"]*)"/);
  return m ? m[1] : null;
}

export async function uiConfig() {
  const res = await request('/ui-config', { headers: { Accept: 'application/json' } });
  return res.json();
}

/**
 * Every feature of the collection (optionally inside `bbox` = [minlon, minlat, maxlon, maxlat]),
 * following `next` links page by page.
 */
export async function listClusters({ bbox } = {}) {
  // A unit officer reads the drafts of its own area and the published layer elsewhere: both
  // are loaded and merged, the draft winning; features known only as published are marked
  // `layer: 'published'` (read-only, no planning sheet or history for this account).
  if (session.role === 'officer') {
    const [drafts, published] = await Promise.all([listLayer({ bbox }), listLayer({ bbox, layer: 'published' })]);
    const own = new Set(drafts.map((f) => String(f.id)));
    return drafts.concat(published.filter((f) => !own.has(String(f.id))).map((f) => ({ ...f, layer: 'published' })));
  }
  return listLayer({ bbox });
}

async function listLayer({ bbox, layer }) {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (bbox) params.set('bbox', bbox.map((v) => v.toFixed(6)).join(','));
  if (layer) params.set('layer', layer);
  return allFeatures(`${COLLECTION}?${params}`);
}

/** Every feature of a paged GeoJSON answer, following its `next` links from `url`. */
async function allFeatures(url, headers = {}) {
  const features = [];
  for (let guard = 0; url && guard < 1000; guard++) {
    const page = await (await request(url, { headers })).json();
    features.push(...(page.features ?? []));
    const next = (page.links ?? []).find((l) => l.rel === 'next');
    url = next && page.features?.length ? new URL(next.href, location.href).href : null;
  }
  return features;
}

/** One feature plus the version its ETag names (the If-Match value for a later PUT or DELETE). */
export async function getCluster(id) {
  const res = await request(`${COLLECTION}/${encodeURIComponent(id)}`);
  const feature = await res.json();
  return { feature, etag: etagVersion(res) ?? String(feature.properties?.version ?? '') };
}

export async function createCluster(feature) {
  const res = await request(COLLECTION, {
    method: 'POST',
    headers: { 'Content-Type': 'application/geo+json' },
    body: JSON.stringify(feature),
  });
  return res.json();
}

export async function updateCluster(id, version, feature) {
  const res = await request(`${COLLECTION}/${encodeURIComponent(id)}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/geo+json', 'If-Match': `"${version}"` },
    body: JSON.stringify(feature),
  });
  return res.json();
}

export async function deleteCluster(id, version) {
  await request(`${COLLECTION}/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    headers: { 'If-Match': `"${version}"` },
  });
}

// ---- planning domain (status events, rules, zones, units over time) ----

const json = (res) => res.json();

/** The planning sheet of a cluster on `date` (YYYY-MM-DD; the server's today when omitted). */
export async function planningSheet(id, date) {
  const q = date ? `?${new URLSearchParams({ date })}` : '';
  return json(await request(`${COLLECTION}/${encodeURIComponent(id)}/planning${q}`, { headers: { Accept: 'application/json' } }));
}

/** Record a status change; resolves to { event, feature } (201), else throws ApiError. */
export async function recordEvent(id, body) {
  return json(await request(`${COLLECTION}/${encodeURIComponent(id)}/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  }));
}

/** Zones (land-use plots) inside `bbox`, optionally of one cluster, following `next` links. */
export async function listZones({ bbox, clusterId } = {}) {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (bbox) params.set('bbox', bbox.map((v) => v.toFixed(6)).join(','));
  if (clusterId !== undefined && clusterId !== null) params.set('cluster_id', String(clusterId));
  return allFeatures(`/collections/zones/items?${params}`);
}

/** Administrative units of a `level` valid on `date` (YYYY-MM-DD), as GeoJSON features. */
export async function listUnits({ level, date }) {
  const params = new URLSearchParams({ level, datetime: date, limit: String(PAGE_SIZE) });
  return allFeatures(`/collections/units/items?${params}`, { Accept: 'application/geo+json' });
}

/** What is planned at a point: clusters, zones, units, open tasks. */
export async function zoningAt(lon, lat, date) {
  const params = new URLSearchParams({ lon: lon.toFixed(6), lat: lat.toFixed(6) });
  if (date) params.set('date', date);
  return json(await request(`/zoning?${params}`, { headers: { Accept: 'application/json' } }));
}

/** Per-unit summary (level district or commune) on `date`. */
export async function summary(level, date) {
  const params = new URLSearchParams({ level });
  if (date) params.set('date', date);
  return json(await request(`/summary?${params}`, { headers: { Accept: 'application/json' } }));
}

/** Planning tasks on `date`; `state` = overdue keeps only the overdue ones. */
export async function tasks(date, state) {
  const params = new URLSearchParams();
  if (date) params.set('date', date);
  if (state) params.set('state', state);
  return json(await request(`/tasks?${params}`, { headers: { Accept: 'application/json' } }));
}

/** Reads who the browser's session cookie belongs to (the public without one). */
export async function whoAmI() {
  const res = await request('/auth/me', { headers: { Accept: 'application/json' } });
  session = await res.json();
  return session;
}

export async function login(name, password) {
  const res = await request('/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  session = await res.json();
  return session;
}

export async function logout() {
  await request('/auth/logout', { method: 'POST' });
  session = { name: null, role: 'public', unit: null, csrf: null };
}

/**
 * Every version of a feature of `collection` (`clusters` or `zones`), oldest first, each with
 * its feature (null for the deletion). Accounts only: the public gets 401.
 */
export async function versions(id, collection = 'clusters') {
  const res = await request(`/collections/${collection}/items/${encodeURIComponent(id)}/versions`, { headers: { Accept: 'application/json' } });
  return (await res.json()).versions ?? [];
}

/** A feature's comments, oldest first (accounts only: the public gets 401). */
export async function comments(id) {
  const res = await request(`${COLLECTION}/${encodeURIComponent(id)}/comments`, { headers: { Accept: 'application/json' } });
  return (await res.json()).comments ?? [];
}

/** Appends a comment about `version` of a feature (comments are never edited or deleted). */
export async function addComment(id, { text, version }) {
  const res = await request(`${COLLECTION}/${encodeURIComponent(id)}/comments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ text, version }),
  });
  return res.json();
}

/** Investors (accounts only), of one cluster when given, with figures and plots on `date`. */
export async function listInvestors({ clusterId, date } = {}) {
  const params = new URLSearchParams();
  if (clusterId !== undefined && clusterId !== null) params.set('cluster_id', String(clusterId));
  if (date) params.set('datetime', date);
  return allFeatures(`/collections/investors/items?${params}`, { Accept: 'application/geo+json' });
}

/** Adds an investor with its first figures; resolves to the new investor feature. */
export async function createInvestor(body) {
  return json(await request('/collections/investors/items', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  }));
}

/** Records a lease of a plot by an investor: { zone_id, start, end }. */
export async function addLease(id, body) {
  return json(await request(`/collections/investors/items/${encodeURIComponent(id)}/leases`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  }));
}

/** The Circular 14/2024 report at `url` (built by the report panel), as JSON. */
export async function report(url) {
  return json(await request(url, { headers: { Accept: 'application/json' } }));
}

/** Craft villages and pilot communes valid on `date` (public). */
export async function listDesignations(date) {
  const params = new URLSearchParams({ datetime: date });
  return allFeatures(`/collections/designations/items?${params}`, { Accept: 'application/geo+json' });
}
