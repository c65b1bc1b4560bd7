// Investors and the Circular 14/2024 report on the map (issue 18): a planner enters an
// investor on a free plot of Phú Hưng–Mỹ Thạnh from the cluster's panel (a wrong tax code is
// refused naming the field first), sees it in the cluster's list and on the investors layer,
// then opens the report, picks the annual period and downloads the spreadsheet.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startServer, signIn, apiToken } from '../lib/server.mjs';
import { launch, openPage as openAnonymousPage, waitReady } from '../lib/browser.mjs';
import { assertNoConsoleErrors, bboxOf, browserSkipReason, apiCall, useApiToken } from '../lib/checks.mjs';

let server;
let browser;
let base;

const api = (pathname, init) => apiCall(base, pathname, init);
const noBrowser = browserSkipReason();

describe('investors and the report on the map', { skip: noBrowser ?? false }, () => {
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

  it('enters an investor on a plot and downloads the report', async () => {
    const { body } = await api('/collections/clusters/items?limit=100');
    const phmt = body.features.find((f) => f.properties.code === 'BT-CCN-PHMT');
    const [x0, y0, x1, y1] = bboxOf(phmt);
    const opened = await openAnonymousPage(browser);
    const { page, context, errors } = opened;
    await signIn(context, base, server.admin);
    await page.goto(`${base}/#15/${((y0 + y1) / 2).toFixed(5)}/${((x0 + x1) / 2).toFixed(5)}/${phmt.id}`);
    await waitReady(page);
    const section = page.locator(`#panel .cp-investors[data-cluster="${phmt.id}"]`);
    const form = section.locator('#cp-investor-form');
    await form.waitFor();
    await section.locator('.cp-investor-list .cp-note').waitFor(); // "no investor yet"

    const plot = form.locator('#cp-inv-plot option:not([value=""])').first();
    const zoneId = Number(await plot.getAttribute('value'));
    assert.ok(zoneId > 0, 'a free leasable plot is offered');
    await form.getByLabel('Tên nhà đầu tư').fill('Công ty TNHH Bánh tráng Mỹ Lồng (thử)');
    await form.getByLabel('Mã số thuế').fill('1300999908'); // fails its check digit
    await form.getByLabel('Lô đất thuê').selectOption(String(zoneId));
    await form.getByLabel('Từ ngày').fill('2025-03-01');
    await form.getByLabel('Vốn đăng ký (đồng)').fill('5000000000');
    await form.getByLabel('Số lao động').fill('12');
    await form.getByRole('button', { name: 'Lưu nhà đầu tư' }).click();
    const error = form.locator('.cp-error');
    await error.waitFor();
    assert.match(await error.textContent(), /tax_code/);

    await form.getByLabel('Mã số thuế').fill('1300999909');
    await form.getByRole('button', { name: 'Lưu nhà đầu tư' }).click();
    await section.locator('.cp-investor-list tr', { hasText: 'Bánh tráng Mỹ Lồng' }).waitFor();
    const { body: stored } = await api(`/collections/investors/items?cluster_id=${phmt.id}`);
    assert.equal(stored.features.length, 1);
    const investor = stored.features[0];
    assert.equal(investor.properties.tax_code, '1300999909');
    assert.deepEqual(investor.properties.zone_ids, [zoneId]);
    assert.equal(investor.properties.workers, 12);
    // On the investors layer, on its plot.
    await page.waitForFunction(() => document.querySelectorAll('path.cp-investor-secondary').length > 0);

    // Craft villages of the demo on their layer.
    await page.waitForFunction(() => document.querySelectorAll('path.cp-designation-craft_village').length === 3);

    // The report: annual 2025 for the province; the new tenant counts in its cluster's row.
    await page.locator('#btn-report').click();
    const report = page.locator('#panel .cp-report');
    await report.locator('#cp-rep-year').fill('2025');
    await report.locator('#cp-rep-year').dispatchEvent('change');
    await page.locator('#panel .cp-report[data-period="2025"]').waitFor();
    const row = page.locator('#panel .cp-report-table tr[data-code="BT-CCN-PHMT"]');
    await row.waitFor();
    assert.equal((await row.locator('td').nth(2).textContent()).trim(), '1', 'one tenant project');
    await page.locator('#panel .cp-report-overdue').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#cp-rep-xlsx').click()]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cp-report-')), download.suggestedFilename());
    await download.saveAs(file);
    assert.equal(download.suggestedFilename(), 'bao-cao-ccn-2025.xlsx');
    const bytes = fs.readFileSync(file);
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an XLSX (zip) file');
    assert.ok(bytes.length > 3000, `a spreadsheet with content (${bytes.length} bytes)`);
    // The refused save logged its 422; nothing else went wrong.
    assertNoConsoleErrors(errors, { expectedStatus: [422] });
    await context.close();
  });
});
