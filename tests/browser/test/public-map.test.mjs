// The public map of a collection (/collections/clusters/map): a real Chromium against the real
// binary shows the published layer only, offers no editing, and works with no network; an
// anonymous visitor finds a cluster without typing diacritics, clicks inside one of its zones and
// reads the published plan there, on a desktop and on a phone, with nothing wider than the screen.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, apiToken } from '../lib/server.mjs';
import { launch, openPage, waitReady } from '../lib/browser.mjs';
import { assertNoConsoleErrors, axeViolations, browserSkipReason, apiCall, useApiToken } from '../lib/checks.mjs';

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
    assert.equal(await page.locator('path.pm-cluster-shape').count(), demo.body.features.length);
    assert.equal(await page.locator('.leaflet-pm-toolbar').count(), 0, 'no editing tools');
    const html = await page.content();
    assert.ok(!html.includes('Bản nháp'));
    // Clicking a feature opens its popup with the published name.
    await page.locator('path.pm-cluster-shape').first().dispatchEvent('click');
    await page.waitForSelector('.leaflet-popup-content strong');
    const names = demo.body.features.map((f) => f.properties.name);
    assert.ok(names.includes(await page.textContent('.leaflet-popup-content strong')));
    // Without a reachable basemap the commune outlines and names (the planner map's reference
    // layer) are drawn at once, under the clusters; both are checkboxes of the layer control.
    await page.waitForSelector('html[data-basemap="unreachable"]');
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-cp-reference-pane path.cp-unit').length > 10);
    assert.ok((await page.locator('.cp-unit-label').count()) > 10, 'commune names drawn');
    assert.ok(await page.locator('.cp-unit-label', { hasText: 'Mỹ Thạnh' }).count() >= 1, 'Mỹ Thạnh named');
    assert.deepEqual(await overlayChecks(page), { 'Bản đồ nền': false, 'Ranh giới xã (tham chiếu)': true, 'Làng nghề và xã điểm': true });
    // Basemap tiles fail offline (Chromium logs them); the app itself logs nothing.
    assertNoConsoleErrors(errors.filter((e) => !e.text.includes('net::ERR_INTERNET_DISCONNECTED')));
    await context.close();

    // With the basemap reachable, the outlines wait behind their checkbox.
    const online = await openPage(browser, { basemap: 'online' });
    await online.page.goto(`${base}/collections/clusters/map`);
    await online.page.waitForSelector('html[data-state="ready"][data-basemap="shown"]');
    assert.equal(await online.page.locator('path.cp-unit').count(), 0, 'no commune outlines over the basemap');
    assert.deepEqual(await overlayChecks(online.page), { 'Bản đồ nền': true, 'Ranh giới xã (tham chiếu)': false, 'Làng nghề và xã điểm': true });
    await online.page.locator('.leaflet-control-layers').hover();
    await online.page.getByRole('checkbox', { name: 'Ranh giới xã (tham chiếu)' }).check();
    await online.page.waitForFunction(() => document.querySelectorAll('.leaflet-cp-reference-pane path.cp-unit').length > 10);
    assertNoConsoleErrors(online.errors);
    await online.context.close();
  });

  /** The layer control's overlays: label → checked. */
  function overlayChecks(page) {
    return page.$$eval('.leaflet-control-layers-overlays label', (labels) => Object.fromEntries(
      labels.map((l) => [l.textContent.trim(), l.querySelector('input').checked])));
  }

  // The Done-when test of the public portal (issue 19), at both sizes.
  const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };
  const STATUS_VI = {
    in_plan: 'Trong danh mục / phương án', established: 'Đã thành lập', infrastructure: 'Đang đầu tư hạ tầng',
    operating: 'Đang hoạt động', expanded: 'Mở rộng', removed: 'Đưa ra khỏi quy hoạch', revoked: 'Bãi bỏ quyết định thành lập',
  };
  const STATUS_EN = {
    in_plan: 'In plan', established: 'Established', infrastructure: 'Infrastructure under construction',
    operating: 'Operating', expanded: 'Expanded', removed: 'Removed from plan', revoked: 'Establishment revoked',
  };
  const USE_VI = { IND: 'Đất công nghiệp (IND)', WWTP: 'Xử lý nước thải (WWTP)', GRN: 'Cây xanh (GRN)' };

  /** Elements of the page (map panes and tiles aside, which the map clips) wider than the screen. */
  async function overflowing(page) {
    return page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const out = [];
      if (document.documentElement.scrollWidth > width) out.push(`document ${document.documentElement.scrollWidth}px`);
      for (const el of document.querySelectorAll('body *')) {
        if (el.closest('.leaflet-map-pane') && !el.closest('.leaflet-popup')) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.left < -1 || r.right > width + 1) out.push(`${el.tagName}.${el.className} ${Math.round(r.left)}–${Math.round(r.right)}`);
      }
      return out;
    });
  }

  for (const [size, device] of [['desktop 1366 × 768', {}], ['phone 390 × 844', PHONE]]) {
    it(`finds Phú Hưng–Mỹ Thạnh by "phu hung" and reads the plan inside one of its zones (${size})`, async () => {
      const base = server.url;
      // A draft named like the cluster, made after the last publication: the public never sees it.
      await apiCall(base, '/collections/clusters/publish', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({}),
      });
      const draftName = `Phú Hưng nháp ${size}`;
      const draft = await apiCall(base, '/collections/clusters/items', {
        method: 'POST',
        headers: { 'Content-Type': 'application/geo+json' },
        body: JSON.stringify({
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: [[[106.7, 10.0], [106.705, 10.0], [106.705, 10.004], [106.7, 10.004], [106.7, 10.0]]] },
          properties: { code: `PH-DRAFT-${device.isMobile ? 'P' : 'D'}`, name: draftName, kind: 'cluster', status: 'in_plan' },
        }),
      });
      assert.equal(draft.status, 201);
      // A point inside one of the cluster's published zones, as the public reads them.
      const anonymous = async (p) => (await fetch(`${base}${p}`)).json();
      const clusters = await anonymous('/collections/clusters/items?limit=1000');
      const phmt = clusters.features.find((f) => f.properties.code === 'BT-CCN-PHMT');
      assert.ok(phmt, 'Phú Hưng–Mỹ Thạnh is published');
      const zones = await anonymous(`/collections/zones/items?cluster_id=${phmt.id}`);
      assert.ok(zones.features.length > 0, 'its zones are published with it');
      let point = null;
      let expected = null;
      for (const z of zones.features) {
        const ring = z.geometry.type === 'Polygon' ? z.geometry.coordinates[0] : z.geometry.coordinates[0][0];
        const lon = ring.slice(1).reduce((s, c) => s + c[0], 0) / (ring.length - 1);
        const lat = ring.slice(1).reduce((s, c) => s + c[1], 0) / (ring.length - 1);
        const answer = await anonymous(`/zoning?lon=${lon}&lat=${lat}`);
        const zone = answer.clusters?.[0]?.zones?.[0];
        if (zone?.id === z.id) { point = { lat, lon }; expected = { status: answer.clusters[0].status, use: zone.land_use }; break; }
      }
      assert.ok(point, 'a zone holds its vertex average');

      const { page, context, errors } = await openPage(browser, { basemap: 'offline', device });
      await page.goto(`${base}/collections/clusters/map`);
      await waitReady(page);
      assert.equal(await page.getAttribute('html', 'lang'), 'vi', 'Vietnamese first');
      await page.fill('#q', 'phu hung');
      await page.waitForSelector('#results li');
      const listed = await page.locator('#results li').allTextContents();
      assert.ok(listed.some((t) => t.includes('Phú Hưng–Mỹ Thạnh')), listed.join(' | '));
      assert.ok(!listed.some((t) => t.includes(draftName)), `no draft in the search: ${listed.join(' | ')}`);
      assert.deepEqual(await overflowing(page), [], 'the open search list fits');
      await page.press('#q', 'Enter');
      await page.waitForSelector('html[data-picked="BT-CCN-PHMT"]');
      // The map goes to the cluster found (closer than the whole province), and says so in its URL.
      await page.waitForFunction(() => Number(location.hash.slice(1).split('/')[0]) >= 13);

      // A shared link to a view centred on the point (the view is in the URL), then a click there.
      const view = { zoom: 18, lat: point.lat, lon: point.lon };
      await page.goto(`${base}/collections/clusters/map?lang=vi#${view.zoom}/${view.lat}/${view.lon}`);
      await waitReady(page);
      const box = await page.locator('#map').boundingBox();
      // A phone is tapped, a desktop clicked.
      if (device.hasTouch) await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
      else await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await page.waitForSelector('html[data-popup="planned"]');
      const popup = page.locator('.leaflet-popup-content');
      assert.equal(await popup.locator('strong').first().textContent(), 'Phú Hưng–Mỹ Thạnh');
      assert.equal(await popup.locator('.pm-status').first().getAttribute('data-status'), expected.status);
      assert.equal((await popup.locator('.pm-status').first().textContent()).trim(), STATUS_VI[expected.status]);
      const use = popup.locator(`.pm-zone[data-land-use="${expected.use}"] .pm-use`);
      assert.equal((await use.first().textContent()).trim(), USE_VI[expected.use] ?? (await use.first().textContent()).trim());
      assert.ok(!(await popup.textContent()).includes(expected.status), `a status label, not the raw ${expected.status}`);
      assert.ok(!(await page.content()).includes(draftName), 'no draft anywhere on the page');
      // axe-core finds nothing serious with the answer open (once the popup has faded in).
      await page.waitForFunction(() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1');
      assert.deepEqual(await axeViolations(page), []);
      // The legend names statuses and land uses; the view is in the URL to share.
      await page.locator('#legend summary').click();
      if (!(await page.locator('#legend').evaluate((d) => d.open))) await page.locator('#legend summary').click();
      assert.ok((await page.locator('#legend').textContent()).includes('Đất công nghiệp (IND)'));
      assert.match(page.url(), /#18\//);
      assert.deepEqual(await overflowing(page), [], 'popup and legend fit the screen');
      await page.screenshot({ path: new URL(`../screenshots/public-map-${device.isMobile ? 'phone' : 'desktop'}.png`, import.meta.url).pathname });
      // English on request, the answer shown included.
      await page.click('#lang');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.locator('#legend summary').textContent(), 'Legend');
      assert.equal(await page.getAttribute('#q', 'placeholder'), 'Name or code (e.g. phu hung)');
      assert.equal((await popup.locator('.pm-status').first().textContent()).trim(), STATUS_EN[expected.status]);
      assert.deepEqual(await overflowing(page), [], 'nothing overflows in English either');
      assertNoConsoleErrors(errors.filter((e) => !e.text.includes('net::ERR_INTERNET_DISCONNECTED')));
      await context.close();
    });
  }

  it('prints on A4 with the scale bar, a north arrow and the legend, without the controls', async () => {
    const { page, context, errors } = await openPage(browser, { basemap: 'offline' });
    await page.goto(`${server.url}/collections/clusters/map#14/10.24/106.415`);
    await waitReady(page);
    assert.equal(await page.locator('#legend').evaluate((d) => d.open), true);
    // Folded on screen: printing opens it, and folds it again after.
    await page.locator('#legend summary').click();
    await page.waitForFunction(() => !document.getElementById('legend').open);
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('#legend').evaluate((d) => d.open), true, 'the legend opens for print');
    assert.ok(await page.getByText('Đất công nghiệp (IND)').isVisible());
    for (const shown of ['.pm-north', '.leaflet-control-scale', '#title']) {
      assert.ok(await page.locator(shown).isVisible(), `${shown} is printed`);
    }
    for (const hidden of ['#q', '#share', '#print', '#lang', '.leaflet-control-zoom']) {
      assert.equal(await page.locator(hidden).isVisible(), false, `${hidden} is not printed`);
    }
    const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: true });
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
    assert.equal(pages.length, 1, 'one A4 page');
    await page.emulateMedia({ media: 'screen' });
    await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
    assert.equal(await page.locator('#legend').evaluate((d) => d.open), false, 'the legend as it was');
    assertNoConsoleErrors(errors.filter((e) => !e.text.includes('net::ERR_INTERNET_DISCONNECTED')));
    await context.close();
  });
});
