// Checks and helpers shared by the browser test files.

import assert from 'node:assert/strict';
import fs from 'node:fs';

import { CHROMIUM } from './browser.mjs';

/**
 * Why the browser suites are skipped (no Chromium), or null. Without Chromium they are skipped
 * with a message on a developer machine, and fail where they are required (CI, or
 * CLUSTERPLAN_REQUIRE_BROWSER=1).
 */
export function browserSkipReason() {
  const missing = fs.existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`;
  if (missing && (process.env.CI === 'true' || process.env.CLUSTERPLAN_REQUIRE_BROWSER === '1')) {
    throw new Error(`${missing}; the browser tests are required here`);
  }
  return missing;
}

/**
 * No console errors. `expectedStatus` lists HTTP error statuses the test provokes on purpose
 * (a 422 for a bow-tie, a 412 for a stale version): Chromium itself logs every 4xx response as
 * "Failed to load resource", which is the browser reporting the answer, not the app failing.
 */
export function assertNoConsoleErrors(errors, { expectedStatus = [] } = {}) {
  const expected = (e) => expectedStatus.some((status) => e.text.startsWith(`Failed to load resource: the server responded with a status of ${status} `));
  assert.deepEqual(errors.filter((e) => !expected(e)).map((e) => `${e.text} ${e.url}`.trim()), [], 'console errors');
}

/** [minlon, minlat, maxlon, maxlat] of a Polygon or MultiPolygon feature. */
export function bboxOf(feature) {
  const g = feature.geometry;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  const pts = polys.flat(2);
  return [
    Math.min(...pts.map((p) => p[0])), Math.min(...pts.map((p) => p[1])),
    Math.max(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[1])),
  ];
}

/** `fetch` on `base`, with the JSON body (null for 204). */
/** A token every `apiCall` of this test file sends (reads of drafts need an account). */
let defaultToken = null;

/** Makes `apiCall` send `Authorization: Bearer token` unless a call sets its own. */
export function useApiToken(token) {
  defaultToken = token;
}

export async function apiCall(base, pathname, init = {}) {
  const headers = { ...(init.headers ?? {}) };
  if (defaultToken && !Object.keys(headers).some((k) => k.toLowerCase() === 'authorization')) {
    headers.Authorization = `Bearer ${defaultToken}`;
  }
  const res = await fetch(`${base}${pathname}`, { ...init, headers });
  const body = res.status === 204 ? null : await res.json();
  return { status: res.status, headers: res.headers, body };
}

/** Width and height of a PNG file, from its IHDR chunk. */
export function pngSize(file) {
  const head = fs.readFileSync(file).subarray(0, 24);
  assert.equal(head.toString('latin1', 12, 16), 'IHDR', `${file} is a PNG`);
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

/**
 * The accessibility violations axe-core (npm) finds on the page as it is now, of the given
 * impacts (serious and critical by default), each as `id: help (selectors)`.
 */
export async function axeViolations(page, { impacts = ['serious', 'critical'] } = {}) {
  const axePath = new URL('../node_modules/axe-core/axe.min.js', import.meta.url).pathname;
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })));
  return violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.targets.join(', ')}`);
}
