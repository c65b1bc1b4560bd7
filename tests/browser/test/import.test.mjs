// Importing a file through the map (issue 17): a zipped Shapefile that GDAL wrote in
// Windows-1258 with provincial field names, uploaded through the import panel. The preview
// marks the refused features on the map (their name field was not recognised), the planner
// maps the field, checks again, imports, and finds the clusters by name. Then a coordinate
// table whose X/Y order is detected and whose cluster code is typed into the panel.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startServer, signIn, apiToken } from '../lib/server.mjs';
import { launch, openPage, waitReady } from '../lib/browser.mjs';
import { assertNoConsoleErrors, browserSkipReason, apiCall, useApiToken } from '../lib/checks.mjs';

let server;
let browser;
let base;
let work;

/** A square of about 30 ha with its south-west corner at (lon, lat). */
function square(lon, lat) {
  const d = 0.005;
  return { type: 'Polygon', coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]] };
}

/** The zipped Shapefile, written by GDAL's ogr2ogr (a client of its own) in Windows-1258. */
function provincialZip() {
  const features = [
    { MA_CCN: 'BT-NHAP-1', TEN_GOI: 'Cụm nhập Lương Quới', TRANG_THAI: 'in_plan', LOAI_HINH: 'cluster', geometry: square(106.60, 10.05) },
    { MA_CCN: 'BT-NHAP-2', TEN_GOI: 'Cụm nhập Châu Hưng', TRANG_THAI: 'in_plan', LOAI_HINH: 'cluster', geometry: square(106.62, 10.05) },
  ].map(({ geometry, ...properties }) => ({ type: 'Feature', geometry, properties }));
  const source = path.join(work, 'ranh-gioi.geojson');
  fs.writeFileSync(source, JSON.stringify({ type: 'FeatureCollection', features }));
  const zip = path.join(work, 'ranh-gioi.shp.zip');
  execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', '-lco', 'ENCODING=CP1258', '-a_srs', 'EPSG:4326', zip, source]);
  return zip;
}

function ogr2ogrReason() {
  try {
    execFileSync('ogr2ogr', ['--version']);
    return null;
  } catch {
    if (process.env.CI === 'true') throw new Error('ogr2ogr (gdal-bin) is required in CI');
    return 'ogr2ogr (gdal-bin) is not installed';
  }
}

const skip = browserSkipReason() ?? ogr2ogrReason();

describe('import through the map', { skip: skip ?? false }, () => {
  before(async () => {
    server = await startServer();
    base = server.url;
    useApiToken(await apiToken(base, server.admin));
    browser = await launch();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterplan-import-'));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('previews a Shapefile with the refused features marked, maps a field, imports and finds the clusters', async () => {
    const zip = provincialZip();
    const { page, context, errors } = await openPage(browser);
    await signIn(context, base, server.admin);
    await page.goto(`${base}/#13/10.05/106.61`);
    await waitReady(page);
    await page.locator('#btn-import').click();
    await page.locator('#panel[data-view="import"]').waitFor();
    await page.locator('#import-file').setInputFiles(zip);

    // The preview: read as Shapefile in WGS 84, both refused (no name), drawn in red.
    const summary = page.locator('#import-summary');
    await summary.waitFor();
    assert.match(await summary.textContent(), /Shapefile.*2 bị từ chối/);
    await page.locator('.cp-import-features li[data-action="refused"]').nth(1).waitFor();
    assert.match(await page.locator('.cp-import-features li').first().textContent(), /name is required/);
    assert.equal(await page.locator('path.cp-import-refused').count(), 2, 'the refused features are on the map');
    assert.ok(await page.locator('#btn-import-commit').isDisabled(), 'nothing to import while a feature is refused');
    // The guesses the server made, shown in the form.
    assert.equal(await page.locator('#import-map-MA_CCN').inputValue(), 'code');
    assert.equal(await page.locator('#import-map-TEN_GOI').inputValue(), '');

    // Map TEN_GOI to the name and check again: both would be created, in the map's colour.
    await page.locator('#import-map-TEN_GOI').selectOption('name');
    await page.locator('#btn-import-recheck').click();
    await page.locator('.cp-import-features li[data-action="create"]').nth(1).waitFor();
    assert.match(await summary.textContent(), /2 thêm mới/);
    assert.match(await page.locator('.cp-import-features').textContent(), /Cụm nhập Lương Quới/, 'Windows-1258 text read right');
    assert.equal(await page.locator('path.cp-import-ok').count(), 2);

    await page.locator('#btn-import-commit').click();
    await page.locator('#status-line', { hasText: 'Đã nhập 2 cụm' }).waitFor();
    assert.equal(await page.locator('path.cp-import-ok, path.cp-import-refused').count(), 0, 'the preview is gone');

    // Found by name in the search box, and stored with the file named in the version.
    const search = page.getByLabel('Tìm cụm theo tên hoặc mã');
    await search.click();
    await page.keyboard.type('luong quoi');
    const option = page.locator('#search-results [role=option]', { hasText: 'Cụm nhập Lương Quới' });
    await option.waitFor();
    await option.click();
    await page.locator('#panel h2', { hasText: 'Cụm nhập Lương Quới' }).waitFor();
    assert.equal(await page.locator('#panel .cp-code').textContent(), 'BT-NHAP-1');
    const id = Number((await page.locator('#panel .cp-details').getAttribute('data-fid')));
    const { body } = await apiCall(base, `/collections/clusters/items/${id}/versions`);
    assert.equal(body.versions[0].reason, 'import ranh-gioi.shp.zip');
    assertNoConsoleErrors(errors);
    await context.close();
  });

  it('reads a coordinate table with X and Y swapped, takes the code typed in, and imports it', async () => {
    // Markers of a 25 ha square near Bến Tre city in VN-2000 TM-3 105°45′, the easting in the
    // X column (not the survey order), semicolons and decimal commas as a spreadsheet saves.
    const corners = [[569000, 1133000], [569500, 1133000], [569500, 1133500], [569000, 1133500]];
    const rows = corners.map(([e, n], i) => `${i + 1};Cụm bảng tọa độ;${e},000;${n},000`);
    const table = path.join(work, 'bang-toa-do.csv');
    fs.writeFileSync(table, ['Mốc;Tên;X;Y', ...rows].join('\n'));
    const { page, context, errors } = await openPage(browser);
    await signIn(context, base, server.admin);
    await page.goto(`${base}/#13/10.24/106.38`);
    await waitReady(page);
    await page.locator('#btn-import').click();
    await page.locator('#panel[data-view="import"]').waitFor();
    await page.locator('#import-file').setInputFiles(table);

    const summary = page.locator('#import-summary');
    await summary.waitFor();
    assert.match(await summary.textContent(), /coordinate table \(CSV\).*EPSG:9210.*1 bị từ chối/);
    assert.match(await page.locator('.cp-import-features li').first().textContent(), /code is required/);
    assert.match(await page.locator('#import-axis option').first().textContent(), /X = Đông, Y = Bắc/, 'the swap is detected');
    await page.locator('#import-code').fill('BT-BANG-1');
    await page.locator('#btn-import-reread').click();
    await page.locator('.cp-import-features li[data-action="create"]').waitFor();
    assert.equal(await page.locator('path.cp-import-ok').count(), 1);
    await page.locator('#btn-import-commit').click();
    await page.locator('#status-line', { hasText: 'Đã nhập 1 cụm' }).waitFor();
    const { body } = await apiCall(base, '/collections/clusters/items?layer=draft&filter=' + encodeURIComponent("code = 'BT-BANG-1'"));
    assert.equal(body.features.length, 1);
    assert.ok(Math.abs(body.features[0].properties.area_ha - 25) < 0.001, `${body.features[0].properties.area_ha} ha`);
    assertNoConsoleErrors(errors);
    await context.close();
  });
});
