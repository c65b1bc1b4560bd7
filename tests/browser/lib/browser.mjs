// Headless Chromium (the system's /usr/bin/chromium) driven by playwright-core, and helpers to
// reach map positions by pixel the way a person would.

import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A tablet held upright: 768×1024 CSS pixels at 2× with a touch screen. */
export const TABLET = { viewport: { width: 768, height: 1024 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/**
 * A fresh page (1366×768 unless `device` says otherwise, e.g. TABLET) that records console errors
 * and uncaught exceptions. Nothing leaves the machine: requests to other hosts are aborted, except
 * basemap tiles which, with `basemap: 'online'`, are answered with a plain generated tile (as if
 * the tile server were up).
 */
export async function openPage(browser, { basemap = 'online', device = {} } = {}) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN', ...device });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push({ text: msg.text(), url: msg.location()?.url ?? '' });
  });
  page.on('pageerror', (err) => errors.push({ text: `uncaught: ${err.message}`, url: '' }));
  await page.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => {
    const isTile = /\/\d+\/\d+\/\d+\.png$/.test(new URL(route.request().url()).pathname);
    if (isTile && basemap === 'online') return route.fulfill({ status: 200, contentType: 'image/png', body: TILE });
    return route.abort('internetdisconnected');
  });
  return { page, context, errors };
}

/** Wait until the app says it loaded its data. */
export async function waitReady(page) {
  await page.waitForSelector('html[data-state="ready"]', { timeout: 15_000 });
}

/**
 * Page coordinates of (lat, lon) on a map showing `view` = { zoom, lat, lon } at its centre
 * (the view set through the URL hash), in Web Mercator like Leaflet.
 */
export async function pixelOf(page, view, lat, lon) {
  const box = await page.locator('#map').boundingBox();
  const world = 256 * 2 ** view.zoom;
  const x = (lng) => ((lng + 180) / 360) * world;
  const y = (la) => {
    const s = Math.sin((la * Math.PI) / 180);
    return (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * world;
  };
  return {
    x: box.x + box.width / 2 + (x(lon) - x(view.lon)),
    y: box.y + box.height / 2 + (y(lat) - y(view.lat)),
  };
}

/** Geoman's markers of the vertices placed so far while drawing (not its cursor marker). */
const PLACED_VERTEX = '.leaflet-marker-pane .marker-icon:not(.cursor-marker):not(.marker-icon-middle)';

/**
 * Click through `points` (page pixels), each time waiting for Geoman to show the vertex placed,
 * and close the ring by clicking the first one again.
 */
export async function drawPolygon(page, points) {
  const before = await page.locator(PLACED_VERTEX).count();
  for (const [i, p] of points.entries()) {
    await page.mouse.move(p.x, p.y, { steps: 4 });
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length === n, [PLACED_VERTEX, before + i + 1]);
  }
  await page.mouse.move(points[0].x, points[0].y, { steps: 4 });
  await page.mouse.click(points[0].x, points[0].y);
}

/**
 * Wait until the elements matching `selector` (at least one) stay where they are for `frames`
 * animation frames in a row: a pan or zoom animation has ended, and positions read now hold.
 */
export async function waitForStill(page, selector, frames = 5) {
  const key = `__cpStill:${selector}`;
  await page.waitForFunction(([sel, need, slot]) => {
    const now = [...document.querySelectorAll(sel)].map((el) => {
      const r = el.getBoundingClientRect();
      return `${r.x},${r.y},${r.width},${r.height}`;
    }).join(';');
    const seen = (window[slot] ??= { at: null, frames: 0 });
    if (now && now === seen.at) seen.frames += 1;
    else Object.assign(seen, { at: now, frames: 0 });
    return seen.frames >= need;
  }, [selector, frames, key], { polling: 'raf' });
  await page.evaluate((slot) => { delete window[slot]; }, key);
}

/**
 * Time to first map, from the mark the app sets in the frame that paints the clusters
 * (web/app/main.js), with the browser's own milestones; all in ms from navigation start.
 */
export async function firstMapTiming(page) {
  await page.waitForFunction(() => performance.getEntriesByName('clusterplan:first-map').length > 0);
  return page.evaluate(() => {
    const [mark] = performance.getEntriesByName('clusterplan:first-map');
    const [nav] = performance.getEntriesByType('navigation');
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    const round = (ms) => (ms ? Math.round(ms) : null);
    return {
      firstMap: round(mark.startTime),
      features: mark.detail?.features ?? null,
      firstContentfulPaint: round(fcp?.startTime),
      domContentLoaded: round(nav?.domContentLoadedEventEnd),
    };
  });
}

// ---- a plain 256×256 PNG tile, generated (no image file in the tree) ----
function crc32(buf) {
  let c;
  let crc = 0xffffffff;
  for (const byte of buf) {
    c = (crc ^ byte) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function plainTile(gray = 0xf2) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(256, 0);
  header.writeUInt32BE(256, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // grayscale
  const raw = Buffer.alloc(256 * 257);
  for (let row = 0; row < 256; row++) {
    raw[row * 257] = 0; // filter: none
    raw.fill(gray, row * 257 + 1, (row + 1) * 257);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ]);
}
const TILE = plainTile();
