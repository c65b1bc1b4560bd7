// The public map of a collection (/collections/clusters/map): a real Chromium against the real
// binary shows the published layer only, offers no editing, and works with no network.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, apiToken } from '../lib/server.mjs';
import { launch, openPage } from '../lib/browser.mjs';
import { assertNoConsoleErrors, browserSkipReason, apiCall, useApiToken } from '../lib/checks.mjs';

const skip = browserSkipReason();

describe('public map', { skip: skip ?? false }, () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    // The test publishes and drafts as an account; the page itself stays anonymous.
    useApiToken(await apiToken(server.url, server.admin));
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the published layer only, read-only, offline', async () => {
    const base = server.url;
    const demo = await apiCall(base, '/collections/clusters/items?limit=10000');
    const published = await apiCall(base, '/collections/clusters/publish', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ note: 'công bố' }),
    });
    assert.equal(published.status, 200);
    assert.equal(published.body.feature_count, demo.body.features.length);
    // A draft made after publishing must not appear.
    const draft = await apiCall(base, '/collections/clusters/items', {
      method: 'POST',
      headers: { 'Content-Type': 'application/geo+json' },
      body: JSON.stringify({
        type: 'Feature',
        geometry: { type: 'Polygon', coordinates: [[[106.6, 10.1], [106.605, 10.1], [106.605, 10.104], [106.6, 10.104], [106.6, 10.1]]] },
        properties: { code: 'DRAFT-ONLY', name: 'Bản nháp', kind: 'cluster', status: 'in_plan' },
      }),
    });
    assert.equal(draft.status, 201);

    const { page, context, errors } = await openPage(browser, { basemap: 'offline' });
    await page.goto(`${base}/collections/clusters/map`);
    await page.waitForSelector('html[data-state="ready"]', { timeout: 15_000 });
    const shown = Number(await page.getAttribute('html', 'data-features'));
    assert.equal(shown, demo.body.features.length, 'the published features, not the draft');
    assert.equal(await page.locator('path.leaflet-interactive').count(), demo.body.features.length);
    assert.equal(await page.locator('.leaflet-pm-toolbar').count(), 0, 'no editing tools');
    const html = await page.content();
    assert.ok(!html.includes('Bản nháp'));
    // Clicking a feature opens its popup with the published name.
    await page.locator('path.leaflet-interactive').first().dispatchEvent('click');
    await page.waitForSelector('.leaflet-popup-content strong');
    const names = demo.body.features.map((f) => f.properties.name);
    assert.ok(names.includes(await page.textContent('.leaflet-popup-content strong')));
    // Basemap tiles fail offline (Chromium logs them); the app itself logs nothing.
    assertNoConsoleErrors(errors.filter((e) => !e.text.includes('net::ERR_INTERNET_DISCONNECTED')));
    await context.close();
  });
});
