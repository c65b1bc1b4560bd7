// The HTML views of the OGC API (items?f=html, an item): a real Chromium against the real
// binary, as the public, shows the published features in the table (labelled in Vietnamese or
// English) and on the Leaflet map.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from '../lib/server.mjs';
import { launch, openPage } from '../lib/browser.mjs';
import { assertNoConsoleErrors, browserSkipReason, apiCall } from '../lib/checks.mjs';

const skip = browserSkipReason();

describe('OGC API HTML views', { skip: skip ?? false }, () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('draws the page of features and one feature on a map', async () => {
    const base = server.url;
    // Anonymous, like the pages: the demo seed published its first state.
    const published = await apiCall(base, '/collections/clusters/items?limit=5');
    assert.equal(published.status, 200);
    const count = published.body.features.length;
    assert.ok(count > 0, 'the demo publishes features');

    const { page, context, errors } = await openPage(browser, { basemap: 'offline' });
    await page.goto(`${base}/collections/clusters/items?limit=5`);
    await page.waitForSelector('html[data-state="ready"]', { timeout: 15_000 });
    assert.equal(await page.locator('tbody tr').count(), count);
    assert.equal(await page.locator('path.leaflet-interactive').count(), count);
    const first = published.body.features[0];
    assert.ok((await page.textContent('table')).includes(first.properties.name));
    // Labels, not raw names, in Vietnamese first; the table scrolls inside the page, which fits
    // a 1366 px screen.
    assert.equal(await page.textContent('th[data-field="status"]'), 'Tình trạng');
    assert.ok(!(await page.textContent('tbody')).includes('in_plan'), 'status labels, not codes');
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.ok(await fits(), 'the page is no wider than the screen');
    await page.click('nav a.lang');
    await page.waitForSelector('html[lang="en"][data-state="ready"]', { timeout: 15_000 });
    assert.equal(await page.textContent('th[data-field="status"]'), 'Status');
    assert.ok(await fits());
    await page.goto(`${base}/collections/clusters/items?limit=5`);
    await page.waitForSelector('html[data-state="ready"]', { timeout: 15_000 });

    await page.click(`a[href="/collections/clusters/items/${first.id}?f=html"]`);
    await page.waitForSelector('html[data-state="ready"]', { timeout: 15_000 });
    assert.equal(await page.textContent('h1'), first.properties.name);
    assert.equal(await page.locator('path.leaflet-interactive').count(), 1);
    await page.locator('path.leaflet-interactive').dispatchEvent('click');
    await page.waitForSelector('.leaflet-popup-content strong');
    assert.equal(await page.textContent('.leaflet-popup-content strong'), first.properties.name);
    assertNoConsoleErrors(errors.filter((e) => !e.text.includes('net::ERR_INTERNET_DISCONNECTED')));
    await context.close();
  });
});
