// Comments on a feature, end to end: a unit officer signs in on the map, opens the history of
// a feature outside its unit (which it may not edit), and comments on it; the comment appears
// in the history panel and is stored under its name.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, signIn, apiToken, addUser } from '../lib/server.mjs';
import { launch, openPage, waitReady } from '../lib/browser.mjs';
import { assertNoConsoleErrors, bboxOf, browserSkipReason, apiCall, useApiToken } from '../lib/checks.mjs';

const OFFICER = { name: 'canbo.xa', password: 'mật khẩu cán bộ xã' };
const TEXT = 'Đề nghị xem lại ranh giới phía bắc';

const skip = browserSkipReason()
  ?? (process.env.CLUSTERPLAN_URL ? 'creates an account with the command line on its own database' : null);

const disjoint = (a, b) => a[2] < b[0] || b[2] < a[0] || a[3] < b[1] || b[3] < a[1];

describe('comments', { skip: skip ?? false }, () => {
  let server;
  let browser;
  let base;
  const api = (pathname, init) => apiCall(base, pathname, init);

  before(async () => {
    server = await startServer();
    base = server.url;
    useApiToken(await apiToken(base, server.admin));
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an officer sees the published feature outside its unit and comments on it from the history panel', async () => {
    // A new feature away from every demo feature, and a commune of today that it lies outside.
    const features = (await api('/collections/clusters/items?limit=10000')).body.features;
    const boxes = features.map(bboxOf);
    let spot;
    for (let lat = 10.3; !spot && lat >= 9.85; lat -= 0.025) {
      for (let lon = 106.05; !spot && lon <= 106.75; lon += 0.025) {
        const box = [lon - 0.02, lat - 0.02, lon + 0.024, lat + 0.023];
        if (boxes.every((b) => disjoint(b, box))) spot = { lon, lat };
      }
    }
    assert.ok(spot, 'a free place in Bến Tre');
    const ring = [[[spot.lon, spot.lat], [spot.lon + 0.004, spot.lat], [spot.lon + 0.004, spot.lat + 0.003], [spot.lon, spot.lat + 0.003], [spot.lon, spot.lat]]];
    const created = await api('/collections/clusters/items', {
      method: 'POST',
      headers: { 'Content-Type': 'application/geo+json' },
      body: JSON.stringify({ type: 'Feature', geometry: { type: 'Polygon', coordinates: ring }, properties: { code: 'BT-CMT-1', name: 'Ý kiến', kind: 'cluster', status: 'in_plan' } }),
    });
    assert.equal(created.status, 201);
    const { id } = created.body;
    const today = new Date().toISOString().slice(0, 10);
    const units = (await api(`/units?date=${today}&level=commune`)).body.features;
    const unit = units.find((u) => disjoint(bboxOf(u), bboxOf(created.body)));
    assert.ok(unit, `a commune valid on ${today} away from the feature`);

    // The administrator adds the officer with the command line, on the running server's file.
    addUser(server, OFFICER, { role: 'officer', unit: unit.properties.code });
    const officerToken = await apiToken(base, OFFICER);
    const edit = await api(`/collections/clusters/items/${id}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/geo+json', 'If-Match': '"1"', Authorization: `Bearer ${officerToken}` },
      body: JSON.stringify({ ...created.body, properties: { ...created.body.properties, notes: 'sửa' } }),
    });
    assert.equal(edit.status, 403, 'the feature lies outside the officer\'s unit');
    // Officers read drafts of their own area only: the draft outside is refused until published.
    const draft = await api(`/collections/clusters/items/${id}`, { headers: { Authorization: `Bearer ${officerToken}` } });
    assert.equal(draft.status, 403, 'a draft outside the officer\'s unit is not shown to it');
    const published = await api('/collections/clusters/publish', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ note: 'ý kiến' }),
    });
    assert.equal(published.status, 200);

    const { page, context, errors } = await openPage(browser);
    await signIn(context, base, OFFICER);
    await page.goto(`${base}/#16/${(spot.lat + 0.0015).toFixed(5)}/${(spot.lon + 0.002).toFixed(5)}/${id}`);
    await waitReady(page);
    await page.locator('#panel h2', { hasText: 'Ý kiến' }).waitFor();
    await page.locator('#btn-history').click();
    await page.locator('#comments-list .cp-comment-none').waitFor();
    assert.equal(await page.locator('#history-slider').count(), 0, 'no draft versions outside the unit');
    assert.equal(await page.locator('#btn-edit').count(), 0, 'no editing outside the unit');
    await page.locator('#comment-text').fill(TEXT);
    await page.locator('#btn-comment').click();
    const shown = page.locator('#comments-list .cp-comment', { hasText: TEXT });
    await shown.waitFor();
    assert.match(await shown.locator('.cp-comment-meta').textContent(), /canbo\.xa · phiên bản 1/);
    assert.equal(await page.locator('#comment-text').inputValue(), '', 'the form is cleared');
    assertNoConsoleErrors(errors);
    await context.close();

    const stored = await api(`/collections/clusters/items/${id}/comments`);
    assert.equal(stored.status, 200);
    assert.deepEqual(stored.body.comments.map((c) => [c.author, c.version, c.text]), [[OFFICER.name, 1, TEXT]]);
    const anonymous = await fetch(`${base}/collections/clusters/items/${id}/comments`);
    assert.equal(anonymous.status, 401, 'comments are internal');
  });
});
