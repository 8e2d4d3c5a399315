// Helpers of the safe-reporting end-to-end test: one Chromium with three contexts (JavaScript
// off, as a cautious reporter may browse; on, with axe-core injected; and staff, under the real
// CSP), accessibility checks with axe-core, and a tiny valid PNG.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, VIEWPORT, isAllowedUrl } from './helpers.mjs';

const require = createRequire(import.meta.url);
export const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Launches Chromium with a context without JavaScript, one for axe-core (the CSP is bypassed
 * there so the checker can be injected; the pages themselves carry no script) and one for staff.
 * Returns { browser, noJs, axe, staff, log }.
 */
export async function launchReportBrowser() {
  const log = { offOrigin: [], pageErrors: [], dialogs: [] };
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const common = { viewport: VIEWPORT, locale: 'en-US', timezoneId: 'UTC' };
  const noJs = await browser.newContext({ ...common, javaScriptEnabled: false });
  const axe = await browser.newContext({ ...common, bypassCSP: true });
  const staff = await browser.newContext(common);
  for (const context of [noJs, axe, staff]) {
    context.setDefaultTimeout(15_000);
    context.on('request', (req) => {
      if (!isAllowedUrl(req.url())) log.offOrigin.push(req.url());
    });
    context.on('page', (page) => {
      page.on('pageerror', (err) => log.pageErrors.push(String(err)));
      // A script that ran from user-supplied text would show up here.
      page.on('dialog', (d) => {
        log.dialogs.push(d.message());
        void d.dismiss();
      });
    });
  }
  return { browser, noJs, axe, staff, log };
}

/** Runs axe-core on `page` (JavaScript on) for WCAG 2.1 A and AA; returns the violations. */
export async function axeViolations(page) {
  await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(
    (tags) => globalThis.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    WCAG_TAGS,
  );
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
  }));
}

function crc32(bytes) {
  let c;
  let crc = 0xffffffff;
  for (const b of bytes) {
    c = (crc ^ b) & 0xff;
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

/** A valid 4x4 red PNG with a text chunk (metadata the server must strip). */
export function tinyPng() {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(4, 0);
  header.writeUInt32BE(4, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const rows = [];
  for (let y = 0; y < 4; y++) rows.push(Buffer.from([0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0]));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('tEXt', Buffer.from('Comment\0taken at 12 Example Street', 'latin1')),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Text of the receipt code on the receipt page ("7KQ2-M9XD-..."). */
export async function receiptCode(page) {
  const text = (await page.locator('p.code').textContent()) ?? '';
  return text.replace(/\s+/g, '');
}
