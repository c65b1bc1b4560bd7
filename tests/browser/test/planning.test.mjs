// The planning domain on the map (issue 4: "the map shows status history, rule results and
// zones"): a real Chromium against the real clusterplan binary on a fresh demo database.
// The sheet of Phú Hưng–Mỹ Thạnh with its 1998 act and its 1998 districts, the zones of
// Phong Nẫm, a status change recorded through the form (refused without its legal act, then
// stored), and a Decree 32 rule-violation shown with its rule id.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startServer, signIn, apiToken } from '../lib/server.mjs';
import { launch, openPage as openAnonymousPage, waitReady, pixelOf, drawPolygon, waitForStill } from '../lib/browser.mjs';
import { assertNoConsoleErrors, bboxOf, browserSkipReason, apiCall, useApiToken } from '../lib/checks.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const screenshots = path.join(here, '..', 'screenshots');
const COLLECTION = '/collections/clusters/items';

let server;
let browser;
let base;

/** The planning data is an account's: pages sign in as the first-run admin. */
async function openPage(b, options) {
  const opened = await openAnonymousPage(b, options);
  await signIn(opened.context, base, server.admin);
  return opened;
}

const api = (pathname, init) => apiCall(base, pathname, init);

async function clusterByCode(code) {
  const { body } = await api(`${COLLECTION}?limit=10000`);
  const found = body.features.find((f) => f.properties.code === code);
  assert.ok(found, `demo cluster ${code}`);
  return found;
}

/** Open the map centred on `feature` at `zoom`, with it selected (through the URL hash). */
async function openOn(feature, zoom) {
  const [x0, y0, x1, y1] = bboxOf(feature);
  const view = { zoom, lat: (y0 + y1) / 2, lon: (x0 + x1) / 2 };
  const opened = await openPage(browser);
  await opened.page.goto(`${base}/#${zoom}/${view.lat.toFixed(5)}/${view.lon.toFixed(5)}/${feature.id}`);
  await waitReady(opened.page);
  await opened.page.locator('#panel[data-view="details"] .cp-planning[data-loaded]').waitFor();
  return { ...opened, view };
}

/** A place in Bến Tre at least ~3 km from every stored feature, as a view at `zoom`. */
async function freeView(zoom) {
  const { body } = await api(`${COLLECTION}?limit=10000`);
  const boxes = body.features.map(bboxOf);
  const m = 0.03;
  for (let lat = 10.3; lat >= 9.85; lat -= 0.025) {
    for (let lon = 106.05; lon <= 106.75; lon += 0.025) {
      if (boxes.every(([x0, y0, x1, y1]) => lon < x0 - m || lon > x1 + m || lat < y0 - m || lat > y1 + m)) {
        return { zoom, lat: Number(lat.toFixed(5)), lon: Number(lon.toFixed(5)) };
      }
    }
  }
  throw new Error('no free place left in Bến Tre');
}

const noBrowser = browserSkipReason();

describe('planning domain on the map', { skip: noBrowser ?? false }, () => {
  before(async () => {
    server = await startServer();
    base = server.url;
    useApiToken(await apiToken(base, server.admin));
    browser = await launch();
    fs.mkdirSync(screenshots, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the sheet of Phú Hưng–Mỹ Thạnh: in plan by act 873/QĐ-UB, and its 1998 districts', async () => {
    const phmt = await clusterByCode('BT-CCN-PHMT');
    const { page, context, errors } = await openOn(phmt, 14);
    const sheet = page.locator('#panel .cp-planning');
    await sheet.locator('.cp-status-now[data-status="in_plan"]').waitFor();
    const first = sheet.locator('.cp-timeline .cp-event[data-to="in_plan"]');
    await first.waitFor();
    assert.match(await first.textContent(), /873\/QĐ-UB/);
    // Rules with their ids, pass or fail, measured against the limit.
    await sheet.locator('.cp-rule[data-rule-id="d32.size.max"][data-passed="true"]').waitFor();
    assert.match(await sheet.locator('.cp-rule[data-rule-id="d32.size.max"]').textContent(), /75/);
    // Tasks of the 1998 directive.
    assert.ok(await sheet.locator('.cp-task').count() >= 1, 'planning tasks listed');

    // The same cluster on 31 December 1998: Bến Tre town and Giồng Trôm district.
    await page.getByLabel('Tại ngày').fill('1998-12-31');
    await sheet.and(page.locator('[data-loaded="1998-12-31"]')).waitFor();
    const districts = await sheet.locator('.cp-unit-level[data-level="district"] .cp-unit-name').allTextContents();
    assert.deepEqual(districts.sort(), ['Huyện Giồng Trôm', 'Thị xã Bến Tre']);
    assert.equal(await sheet.locator('.cp-status-on-date').getAttribute('data-status'), 'in_plan');

    // In English the sheet follows, rule messages in English first.
    await page.getByRole('button', { name: 'English' }).click();
    await sheet.getByRole('heading', { name: 'Planning sheet' }).waitFor();
    assert.match(await sheet.locator('.cp-rule[data-rule-id="d32.size.max"] .cp-rule-msg').first().textContent(), /is within the maximum of 75 ha/);
    assert.equal(await sheet.locator('.cp-plan-date input').inputValue(), '1998-12-31', 'the date is kept');
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    assertNoConsoleErrors(errors);
    await context.close();
  });

  it('draws the zones of Phong Nẫm by land use, with a legend, and shows a zone on click', async () => {
    const pn = await clusterByCode('BT-CCN-PN');
    const { body: zones } = await api(`/collections/zones/items?cluster_id=${pn.id}&limit=1000`);
    assert.ok(zones.features.length > 0, 'demo zones of Phong Nẫm');
    const { page, context, errors } = await openOn(pn, 17);
    await page.waitForFunction((n) => document.querySelectorAll('path.cp-zone').length >= n, zones.features.length);
    const drawn = await page.locator('path.cp-zone').evaluateAll((els) => els.map((el) => el.dataset.zoneId));
    for (const z of zones.features) assert.ok(drawn.includes(String(z.id)), `zone ${z.id} (${z.properties.label}) drawn`);
    // Fill by land use: an industrial plot and a green one are not painted alike.
    const fill = (use) => page.locator(`path.cp-zone[data-land-use="${use}"]`).first().getAttribute('fill');
    assert.notEqual(await fill('IND'), await fill('GRN'));
    // Legend with every land use, leased and unleased.
    const legend = page.locator('.cp-layer-list li[data-layer="zones"]');
    await legend.locator('.cp-zones-legend li[data-land-use="WWTP"]').waitFor();
    assert.match(await legend.textContent(), /Đã cho thuê/);

    // A zone is reachable by keyboard: Enter opens its attributes.
    const green = zones.features.find((z) => z.properties.land_use === 'GRN');
    await page.locator(`path.cp-zone[data-zone-id="${green.id}"]`).focus();
    await page.keyboard.press('Enter');
    await page.locator(`.cp-zone-popup[data-zone-id="${green.id}"]`).waitFor();
    await page.keyboard.press('Escape');
    await page.locator('.leaflet-popup').waitFor({ state: 'detached' });

    // Click a leased industrial plot: its attributes in a popup.
    const leased = zones.features.find((z) => z.properties.land_use === 'IND' && z.properties.leased);
    await waitForStill(page, `path.cp-zone[data-zone-id="${leased.id}"]`);
    const box = await page.locator(`path.cp-zone[data-zone-id="${leased.id}"]`).boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const popup = page.locator(`.cp-zone-popup[data-zone-id="${leased.id}"]`);
    await popup.waitFor();
    assert.match(await popup.locator('.cp-zone-use').textContent(), /IND/);
    assert.equal(await popup.locator('.cp-zone-tenant').textContent(), leased.properties.tenant);
    // The cluster stays selected, its sheet with land and occupancy from the zones.
    assert.match(await page.locator('#panel .cp-occupancy').textContent(), /%/);
    // The picture: the popup faded in, the sheet scrolled to its history, land and rules.
    await page.waitForFunction(() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1');
    await page.locator('#panel .cp-planning h4').first().evaluate((el) => { document.getElementById('panel').scrollTop = el.offsetTop - 8; });
    await page.screenshot({ path: path.join(screenshots, 'planning.png') });
    assertNoConsoleErrors(errors);
    await context.close();
  });

  it('shows a zone\'s versions in its popup, with a slider that draws its past boundary', async () => {
    const view = await freeView(17);
    const square = (x, y, d) => ({ type: 'Polygon', coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] });
    const send = (method, pathname, body, headers = {}) => api(pathname, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const d = 0.004;
    const cluster = await send('POST', COLLECTION, {
      type: 'Feature', geometry: square(view.lon - d / 2, view.lat - d / 2, d),
      properties: { code: 'TEST-CCN-ZH', name: 'Cụm thử lịch sử khu đất', kind: 'cluster', status: 'in_plan' },
    });
    assert.equal(cluster.status, 201, JSON.stringify(cluster.body));
    const plot = (size) => ({
      type: 'Feature', geometry: square(view.lon - d / 4, view.lat - d / 4, size),
      properties: { cluster_id: cluster.body.id, land_use: 'IND', label: 'IND-ZH' },
    });
    const zone = await send('POST', '/collections/zones/items', plot(d / 2));
    assert.equal(zone.status, 201, JSON.stringify(zone.body));
    const shrunk = await send('PUT', `/collections/zones/items/${zone.body.id}`, plot(d / 4), { 'If-Match': '"1"', 'X-Change-Reason': encodeURIComponent('Thu hẹp lô') });
    assert.equal(shrunk.status, 200, JSON.stringify(shrunk.body));

    const { page, context, errors } = await openOn({ ...cluster.body, geometry: square(view.lon - d / 2, view.lat - d / 2, d) }, 17);
    const selector = `path.cp-zone[data-zone-id="${zone.body.id}"]`;
    await page.locator(selector).waitFor();
    await waitForStill(page, selector);
    const now = await page.locator(selector).boundingBox();
    await page.mouse.click(now.x + now.width / 2, now.y + now.height / 2);
    const popup = page.locator(`.cp-zone-popup[data-zone-id="${zone.body.id}"]`);
    await popup.waitFor();
    await popup.locator('#btn-zone-history').click();
    const slider = popup.locator('#zone-history-slider');
    await slider.waitFor();
    assert.equal(await slider.getAttribute('max'), '2');
    assert.match(await popup.locator('#zone-history-entry').textContent(), /Phiên bản 2 · sửa · admin/);
    assert.match(await popup.locator('.cp-history-notes').textContent(), /Thu hẹp lô/);
    await slider.fill('1');
    await popup.locator('.cp-history[data-collection="zones"][data-version="1"]').waitFor();
    assert.match(await popup.locator('#zone-history-entry').textContent(), /Phiên bản 1 · tạo mới/);
    // The first boundary was twice as wide as today's.
    const past = await page.locator('path.cp-history-shape').boundingBox();
    assert.ok(past.width > now.width * 1.5, `past boundary wider than today's (${past.width} vs ${now.width})`);
    // The popup lays itself out again (and may pan) once the past boundary is drawn; a close
    // click that lands during that pan has been seen to leave it open (1 run in 4 in CI), so
    // the close is tried a second time before the popup must be gone.
    for (let attempt = 0; attempt < 2 && (await page.locator('.leaflet-popup').count()) > 0; attempt++) {
      await page.locator('.leaflet-popup-close-button').click();
      await page.locator('.leaflet-popup').waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
    }
    await page.locator('.leaflet-popup').waitFor({ state: 'detached' });
    assert.equal(await page.locator('path.cp-history-shape').count(), 0, 'closing the popup removes the past boundary');
    assertNoConsoleErrors(errors);
    await context.close();
  });

  it('records a status change through the form: refused without its act, stored with it', async () => {
    const phmt = await clusterByCode('BT-CCN-PHMT');
    const { page, context, errors } = await openOn(phmt, 14);
    const sheet = page.locator('#panel .cp-planning');
    await page.getByRole('button', { name: 'Ghi nhận thay đổi tình trạng' }).click();
    await page.getByLabel('Tình trạng mới').selectOption('removed');
    await page.getByLabel('Ngày hiệu lực').fill('2026-06-30');
    await page.getByLabel('Ghi chú', { exact: true }).fill('Kiểm thử: đưa ra khỏi quy hoạch');
    const refused = page.waitForResponse((r) => r.url().endsWith(`/items/${phmt.id}/events`));
    await page.getByRole('button', { name: 'Ghi nhận', exact: true }).click();
    assert.equal((await refused).status(), 422);
    await sheet.locator('[data-problem="legal-act-required"]').waitFor();
    assert.equal((await api(`${COLLECTION}/${phmt.id}`)).body.properties.status, 'in_plan', 'nothing stored');

    await page.getByLabel('Số văn bản').fill('99/QĐ-UBND');
    await page.getByLabel('Ngày ban hành').fill('2026-06-15');
    await page.getByLabel('Cơ quan ban hành').fill('UBND tỉnh Bến Tre');
    const stored = page.waitForResponse((r) => r.url().endsWith(`/items/${phmt.id}/events`));
    await page.getByRole('button', { name: 'Ghi nhận', exact: true }).click();
    assert.equal((await stored).status(), 201);
    const event = sheet.locator('.cp-timeline .cp-event[data-to="removed"]');
    await event.waitFor();
    assert.match(await event.textContent(), /99\/QĐ-UBND/);
    await sheet.locator('.cp-status-now[data-status="removed"]').waitFor();
    // The details above the sheet and the map follow.
    await page.locator('#panel .cp-status[data-status="removed"]').waitFor();
    const { body: history } = await api(`${COLLECTION}/${phmt.id}/events`);
    const list = Array.isArray(history) ? history : history.events;
    assert.equal(list.at(-1).to, 'removed');
    assert.equal(list.at(-1).act.number, '99/QĐ-UBND');
    assertNoConsoleErrors(errors, { expectedStatus: [422] });
    await context.close();
  });

  it('records an expansion drawn on the map, with an override reason for a conditional rule', async () => {
    // A cluster that is operating with 0 % occupancy (one unleased industrial plot), through the
    // API: its expansion passes the hard rules only when excess demand is declared, and then
    // needs a reason for the conditional occupancy rule.
    const today = new Date().toISOString().slice(0, 10);
    const view = await freeView(16);
    const square = (x, y, d) => ({ type: 'Polygon', coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] });
    const post = (pathname, body) => api(pathname, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const d = 0.004;
    const created = await post(COLLECTION, {
      type: 'Feature',
      geometry: square(view.lon - d / 2, view.lat - d / 2, d),
      properties: {
        code: 'TEST-CCN-EXP', name: 'Cụm thử mở rộng', kind: 'cluster', status: 'in_plan',
        roads_completed: true, water_completed: true, wastewater_completed: true,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    for (const [i, to] of ['established', 'infrastructure', 'operating'].entries()) {
      const res = await post(`${COLLECTION}/${id}/events`, { to, effective: today, act: { number: `${i + 1}/QĐ-TEST`, date: today, authority: 'UBND tỉnh Bến Tre' } });
      assert.equal(res.status, 201, `${to}: ${JSON.stringify(res.body)}`);
    }
    const zone = await post('/collections/zones/items', {
      type: 'Feature',
      geometry: square(view.lon - d / 4, view.lat - d / 4, d / 2),
      properties: { cluster_id: id, land_use: 'IND', label: 'IND-T1', leasable: true, leased: false },
    });
    assert.equal(zone.status, 201, JSON.stringify(zone.body));

    const { page, context, errors } = await openOn({ ...created.body, geometry: square(view.lon - d / 2, view.lat - d / 2, d) }, 16);
    const sheet = page.locator('#panel .cp-planning');
    await page.getByRole('button', { name: 'Ghi nhận thay đổi tình trạng' }).click();
    await page.getByLabel('Tình trạng mới').selectOption('expanded');
    await page.getByRole('button', { name: 'Vẽ ranh giới mở rộng trên bản đồ' }).click();
    // Drag the north-east corner of the dashed copy 60 px further out.
    const corner = await page.evaluate(() => {
      const markers = [...document.querySelectorAll('.leaflet-marker-pane .marker-icon:not(.marker-icon-middle)')].map((el) => {
        const r = el.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
      });
      return markers.sort((a, b) => (b.x - b.y) - (a.x - a.y))[0];
    });
    assert.ok(corner, 'vertex handles of the expansion boundary');
    await page.mouse.move(corner.x, corner.y);
    await page.mouse.down();
    await page.mouse.move(corner.x + 60, corner.y - 60, { steps: 10 });
    await page.mouse.up();
    await page.getByLabel('Có nhu cầu vượt (cho mở rộng)').check();
    await page.getByLabel('Số văn bản').fill('77/QĐ-TEST');
    await page.getByLabel('Ngày ban hành').fill(today);
    await page.getByLabel('Cơ quan ban hành').fill('UBND tỉnh Bến Tre');
    const refused = page.waitForResponse((r) => r.url().endsWith(`/items/${id}/events`));
    await page.getByRole('button', { name: 'Ghi nhận', exact: true }).click();
    assert.equal((await refused).status(), 422);
    const occupancy = sheet.locator('.cp-rule-violation .cp-rule[data-rule-id="d32.expansion.occupancy"][data-passed="false"]');
    await occupancy.waitFor();
    // The added area passed: the boundary sent is the one dragged on the map.
    await sheet.locator('.cp-rule-violation .cp-rule[data-rule-id="d32.expansion.added_area"][data-passed="true"]').waitFor({ state: 'attached' });
    await page.getByLabel('Lý do miễn trừ cho d32.expansion.occupancy').fill('Nhà đầu tư đã đăng ký vượt quỹ đất (kiểm thử).');
    const stored = page.waitForResponse((r) => r.url().endsWith(`/items/${id}/events`));
    await page.getByRole('button', { name: 'Gửi lại với lý do miễn trừ' }).click();
    assert.equal((await stored).status(), 201);
    const event = sheet.locator('.cp-timeline .cp-event[data-to="expanded"]');
    await event.waitFor();
    assert.match(await event.locator('.cp-event-override').textContent(), /d32\.expansion\.occupancy.*vượt quỹ đất/);
    const after = await api(`${COLLECTION}/${id}`);
    assert.equal(after.body.properties.status, 'expanded');
    assert.ok(after.body.properties.area_ha > created.body.properties.area_ha, 'the boundary grew');
    assert.equal(await page.locator('path.cp-expansion-sketch').count(), 0, 'the sketch is gone');
    assertNoConsoleErrors(errors, { expectedStatus: [422] });
    await context.close();
  });

  it('answers what is planned at a clicked point, and sums up the 1998 districts', async () => {
    const pn = await clusterByCode('BT-CCN-PN');
    const { body: zones } = await api(`/collections/zones/items?cluster_id=${pn.id}&limit=1000`);
    const plot = zones.features.find((z) => z.properties.land_use === 'IND');
    const { page, context, errors } = await openOn(pn, 17);
    await page.locator(`path.cp-zone[data-zone-id="${plot.id}"]`).waitFor();
    await waitForStill(page, `path.cp-zone[data-zone-id="${plot.id}"]`);
    await page.getByRole('button', { name: 'Tra cứu tại điểm' }).click();
    const box = await page.locator(`path.cp-zone[data-zone-id="${plot.id}"]`).boundingBox();
    const asked = page.waitForResponse((r) => new URL(r.url()).pathname === '/zoning');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    assert.equal((await asked).status(), 200);
    const answer = page.locator('.cp-zoning-popup[data-planned="true"]');
    await answer.waitFor();
    assert.match(await answer.textContent(), /Phong Nẫm/);
    assert.match(await answer.textContent(), new RegExp(plot.properties.label));
    // The query did not change the selection.
    await page.locator('#panel[data-view="details"]').waitFor();

    await page.getByRole('button', { name: 'Tổng hợp' }).click();
    await page.locator('#panel[data-view="summary"] .cp-summary[data-loaded^="district/"]').waitFor();
    await page.getByLabel('Tại ngày').fill('1998-12-31');
    const table = page.locator('#panel .cp-summary[data-loaded="district/1998-12-31"] .cp-summary-table');
    await table.waitFor();
    const town = table.locator('tr', { hasText: 'Thị xã Bến Tre' });
    assert.match(await town.textContent(), /Phú Hưng–Mỹ Thạnh/);
    // Overdue tasks of the 1998 directive on that date: Mỏ Cày's office, flagged in its row and
    // listed with the province's own.
    assert.equal(await table.locator('tr', { hasText: 'Huyện Mỏ Cày' }).locator('td.cp-overdue-cell').textContent(), '1');
    const overdue = page.locator('#panel .cp-overdue-tasks .cp-task-overdue');
    assert.ok((await overdue.allTextContents()).some((text) => text.includes('Phòng Công Thương huyện Mỏ Cày')), 'overdue task listed');
    assertNoConsoleErrors(errors);
    await context.close();
  });

  it('shows the rule results, with rule ids, when a new cluster breaks a Decree 32 limit', async () => {
    // About 1.5 km × 1.5 km at zoom 14: far above 75 ha for a cluster.
    const view = await freeView(14);
    const page0 = await openPage(browser);
    const { page, context, errors } = page0;
    await page.goto(`${base}/#${view.zoom}/${view.lat.toFixed(5)}/${view.lon.toFixed(5)}`);
    await waitReady(page);
    await page.getByRole('button', { name: 'Vẽ cụm mới' }).click();
    const c = await pixelOf(page, view, view.lat, view.lon);
    await drawPolygon(page, [
      { x: c.x - 80, y: c.y - 80 }, { x: c.x + 80, y: c.y - 80 }, { x: c.x + 80, y: c.y + 80 }, { x: c.x - 80, y: c.y + 80 },
    ]);
    await page.getByLabel('Tên', { exact: true }).fill('Cụm quá lớn');
    await page.getByLabel('Mã', { exact: true }).fill('TEST-CCN-BIG');
    await page.getByLabel('Loại', { exact: true }).selectOption('cluster');
    await page.getByLabel('Tình trạng', { exact: true }).selectOption('in_plan');
    const refused = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(COLLECTION));
    await page.getByRole('button', { name: 'Lưu' }).click();
    const res = await refused;
    assert.equal(res.status(), 422);
    const box = page.locator('#panel .cp-rule-violation');
    await box.waitFor();
    const failed = box.locator('.cp-rule[data-rule-id="d32.size.max"][data-passed="false"]');
    await failed.waitFor();
    assert.match(await failed.textContent(), /d32\.size\.max/);
    assert.match(await failed.textContent(), /75/);
    const all = await api(`${COLLECTION}?limit=10000`);
    assert.ok(!all.body.features.some((f) => f.properties.code === 'TEST-CCN-BIG'), 'nothing stored');
    assertNoConsoleErrors(errors, { expectedStatus: [422] });
    await context.close();
  });
});
