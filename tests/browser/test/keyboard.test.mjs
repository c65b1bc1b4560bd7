// Vertex handles from the keyboard (the accessibility issue): a planner edits a cluster boundary
// without a mouse. Tab reaches the handles in ring order, each named; arrow keys move a vertex
// without panning the map, Delete removes one, Enter on a midpoint adds one, Ctrl+Z undoes, and
// the saved geometry has the vertex where the keys put it.
//
// Its own server (it makes a planner account with the command line and changes a cluster), so
// not with CLUSTERPLAN_URL.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, signIn, apiToken, addUser } from '../lib/server.mjs';
import { launch, openPage, waitReady, waitForStill } from '../lib/browser.mjs';
import { assertNoConsoleErrors, axeViolations, browserSkipReason, apiCall, useApiToken } from '../lib/checks.mjs';

const PLANNER = { name: 'quyhoach.banphim', password: 'mật khẩu bàn phím' };
const ITEMS = '/collections/clusters/items';
/** Shift+ArrowRight moves a vertex 10 screen pixels; pressed this many times. */
const PRESSES = 3;
const STEP_PX = 10;

const skip = browserSkipReason()
  ?? (process.env.CLUSTERPLAN_URL ? 'makes an account with the command line on its own database' : null);

/** What has the focus: its class, role and name. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return {
      vertex: Boolean(el?.matches('.leaflet-marker-pane .marker-icon:not(.marker-icon-middle)')),
      midpoint: Boolean(el?.matches('.leaflet-marker-pane .marker-icon-middle')),
      role: el?.getAttribute('role') ?? null,
      label: el?.getAttribute('aria-label') ?? null,
    };
  });
}

/** Centre of the focused element, in page pixels. */
function focusedCentre(page) {
  return page.evaluate(() => {
    const r = document.activeElement.getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  });
}

/** Where the map is: the URL hash (#zoom/lat/lon/…) and the transform of Leaflet's map pane. */
function mapView(page) {
  return page.evaluate(() => ({
    hash: location.hash,
    pane: document.querySelector('.leaflet-map-pane').style.transform,
  }));
}

/** The names of the vertex handles, in document order. */
function vertexLabels(page) {
  return page.locator('.leaflet-marker-pane .marker-icon:not(.marker-icon-middle)').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')));
}

/** The one ring of a one-part polygon (stored as a Polygon or a MultiPolygon), without its closing position. */
function outerRing(geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  assert.equal(polygons.length, 1, 'one part');
  assert.equal(polygons[0].length, 1, 'no hole');
  return polygons[0][0].slice(0, -1);
}

describe('vertex handles from the keyboard', { skip: skip ?? false }, () => {
  let server;
  let browser;
  let base;
  const api = (pathname, init) => apiCall(base, pathname, init);

  before(async () => {
    server = await startServer();
    base = server.url;
    useApiToken(await apiToken(base, server.admin));
    addUser(server, PLANNER, { role: 'planner' });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('moves a vertex with Shift+ArrowRight without panning the map, removes and adds vertices, undoes, passes axe-core and saves the move', async (t) => {
    const { body: { features } } = await api(`${ITEMS}?limit=10000`);
    const [original] = features.filter((f) => f.properties.code === 'BT-CCN-PN');
    const ring = outerRing(original.geometry);
    const n = ring.length;

    const { page, context, errors } = await openPage(browser);
    await signIn(context, base, PLANNER);
    await page.goto(`${base}/`);
    await waitReady(page);
    await page.getByLabel('Tìm cụm theo tên hoặc mã').fill('phong nam');
    await page.getByLabel('Tìm cụm theo tên hoặc mã').press('Enter');
    await page.locator('#panel h2', { hasText: 'Phong Nẫm' }).waitFor();
    await page.getByRole('button', { name: 'Sửa', exact: true }).click();
    await page.locator('#panel[data-view="editor"]').waitFor();
    await page.locator('#tool-vertices[aria-pressed="true"]').waitFor();
    await waitForStill(page, '.leaflet-marker-pane .marker-icon'); // the zoom to the shape has ended

    // Every vertex named, in ring order, and the keys explained where the names point.
    assert.deepEqual(await vertexLabels(page), ring.map((_, i) => `Đỉnh ${i + 1} của ${n}`));
    assert.match(await page.locator('#cp-vertex-keys').textContent(), /phím mũi tên dời đỉnh 1 px, Shift \+ mũi tên dời 10 px/);

    // From the map, Tab reaches the first vertex, then the midpoint after it, then the next vertex.
    await page.locator('#map').focus();
    let reached = null;
    for (let i = 0; i < 200 && !reached?.vertex; i++) {
      await page.keyboard.press('Tab');
      reached = await focused(page);
    }
    assert.deepEqual(reached, { vertex: true, midpoint: false, role: 'button', label: `Đỉnh 1 của ${n}` });
    await page.keyboard.press('Tab');
    assert.deepEqual(await focused(page), { vertex: false, midpoint: true, role: 'button', label: 'Điểm giữa đỉnh 1 và 2: thêm đỉnh' });
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).label, `Đỉnh 2 của ${n}`);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    assert.equal((await focused(page)).label, `Đỉnh 1 của ${n}`);

    // Shift+ArrowRight three times: vertex 1 goes 30 px east, the map stays where it was.
    const view = await mapView(page);
    const zoom = Number(view.hash.slice(1).split('/')[0]);
    const at = await focusedCentre(page);
    const areaBefore = await page.locator('#cp-live-area').textContent();
    for (let i = 0; i < PRESSES; i++) await page.keyboard.press('Shift+ArrowRight');
    await page.waitForFunction(() => /sang đông 10 px/.test(document.querySelector('#cp-vertex-status')?.textContent ?? ''));
    assert.equal((await focused(page)).label, `Đỉnh 1 của ${n}`, 'the moved vertex keeps the focus');
    const moved = await focusedCentre(page);
    // Leaflet puts markers on whole pixels: within 1 px, i.e. 1 px worth of longitude.
    const degPerPx = 360 / (256 * 2 ** zoom);
    t.diagnostic(`Phong Nẫm: ${n} vertices, zoom ${zoom}, 1 px = ${degPerPx.toExponential(3)}° of longitude`);
    const dLon = (moved.x - at.x) * degPerPx;
    assert.ok(Math.abs(dLon - PRESSES * STEP_PX * degPerPx) <= degPerPx, `moved east by ${moved.x - at.x} px (${dLon}°)`);
    assert.ok(Math.abs(moved.y - at.y) <= 1, `not north or south (${moved.y - at.y} px)`);
    assert.deepEqual(await mapView(page), view, 'the map did not pan');
    assert.notEqual(await page.locator('#cp-live-area').textContent(), areaBefore, 'the live area follows');
    assert.equal(await page.locator('#btn-undo').isDisabled(), false, 'the moves can be undone');

    // Nothing serious or critical for axe-core while the handles are edited from the keyboard.
    assert.deepEqual(await axeViolations(page), [], 'axe-core, vertex editing');

    // Delete on vertex 2: one vertex fewer, the focus on the one that followed it.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).label, `Đỉnh 2 của ${n}`);
    await page.keyboard.press('Delete');
    assert.equal(await page.locator('.leaflet-marker-pane .marker-icon:not(.marker-icon-middle)').count(), n - 1, 'one vertex fewer');
    assert.deepEqual(await vertexLabels(page), ring.slice(1).map((_, i) => `Đỉnh ${i + 1} của ${n - 1}`));
    assert.deepEqual(await focused(page), { vertex: true, midpoint: false, role: 'button', label: `Đỉnh 2 của ${n - 1}` });
    assert.equal(await page.locator('#cp-vertex-status').textContent(), `Đã xoá đỉnh 2; còn ${n - 1} đỉnh.`);

    // Ctrl+Z brings it back (and only it: vertex 1 stays moved), the focus on vertex 2 again.
    await page.keyboard.press('Control+z');
    assert.equal(await page.locator('.leaflet-marker-pane .marker-icon:not(.marker-icon-middle)').count(), n, 'the vertex is back');
    assert.deepEqual(await focused(page), { vertex: true, midpoint: false, role: 'button', label: `Đỉnh 2 của ${n}` });
    const first = await page.locator('.leaflet-marker-pane .marker-icon:not(.marker-icon-middle)').first().evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2, label: el.getAttribute('aria-label') };
    });
    assert.equal(first.label, `Đỉnh 1 của ${n}`);
    assert.ok(Math.abs(first.x - moved.x) <= 1 && Math.abs(first.y - moved.y) <= 1, 'vertex 1 is still where the keys moved it');

    // Enter on the midpoint before vertex 2 adds a vertex there, focused; Ctrl+Z takes it back.
    await page.keyboard.press('Shift+Tab');
    assert.equal((await focused(page)).label, 'Điểm giữa đỉnh 1 và 2: thêm đỉnh');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('.leaflet-marker-pane .marker-icon:not(.marker-icon-middle)').count(), n + 1, 'a vertex added');
    assert.deepEqual(await focused(page), { vertex: true, midpoint: false, role: 'button', label: `Đỉnh 2 của ${n + 1}` });
    await page.keyboard.press('Control+z');
    assert.equal(await page.locator('.leaflet-marker-pane .marker-icon:not(.marker-icon-middle)').count(), n, 'the added vertex undone');
    assert.deepEqual(await mapView(page), view, 'the map never panned');

    // Saved: the stored ring is the old one with vertex 1 moved 30 px worth of longitude east.
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    await page.locator('#panel[data-view="details"] h2', { hasText: 'Phong Nẫm' }).waitFor();
    const { status, body: stored } = await api(`${ITEMS}/${original.id}`);
    assert.equal(status, 200);
    assert.equal(stored.properties.version, original.properties.version + 1);
    const now = outerRing(stored.geometry);
    assert.equal(now.length, n, 'as many vertices as before');
    const near = (a, b) => Math.abs(a[0] - b[0]) < 1e-7 && Math.abs(a[1] - b[1]) < 1e-7;
    const expected = [ring[0][0] + PRESSES * STEP_PX * degPerPx, ring[0][1]];
    assert.ok(now.some((p) => near(p, expected)), `vertex 1 stored at ${expected} (stored ring ${JSON.stringify(now)})`);
    assert.ok(!now.some((p) => near(p, ring[0])), 'not where it was');
    for (const p of ring.slice(1)) assert.ok(now.some((q) => near(q, p)), `vertex ${p} kept`);
    assertNoConsoleErrors(errors);
    await context.close();
  });
});
