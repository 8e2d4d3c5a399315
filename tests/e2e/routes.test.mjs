// End-to-end test of the route map and a corridor's series. The real server (`$CTIS_BIN demo`,
// which loads generated route data with planted surges) on loopback, Debian's Chromium via
// playwright-core. The administrator opens the map: countries drawn from the bundled
// world-atlas, corridor arcs weighted by flow, incidents, the month slider; picks a corridor with
// the keyboard, sees its series with an alarm marked on the chart and listed in text, then reads
// it in Arabic, right to left. axe-core checks both pages for WCAG 2.1 A and AA. Nothing may
// leave 127.0.0.1. Run from this folder after `npm ci` and `npm run build` in web/:
//   CTIS_BIN=/path/to/ctis node --test routes.test.mjs
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { signIn, startServer, stopServer } from './helpers.mjs';
import { axeViolations, launchReportBrowser } from './report_helpers.mjs';

const workDir = mkdtempSync(join(tmpdir(), 'ctis-e2e-routes-'));
const CORRIDOR = 'central_mediterranean';

let server;
let browser;
let staffContext;
let axeContext;
let log;
let page; // staff: the app under its real CSP
let axePage; // the same pages with axe-core injected (CSP bypassed for the checker only)
const problems = []; // console errors and CSP violations of the staff page

const shot = (p, name) => p.screenshot({ path: join(workDir, `${name}.png`), fullPage: true });

async function checkAxe(url, ready, name) {
  await axePage.goto(url);
  await axePage.locator(ready).first().waitFor();
  const violations = await axeViolations(axePage);
  assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 2)}`);
}

describe('CTIS route map and corridor series', () => {
  before(async () => {
    const bin = process.env.CTIS_BIN;
    assert.ok(bin, 'CTIS_BIN must name the ctis executable');
    server = await startServer(bin, join(workDir, 'data'));
    ({ browser, staff: staffContext, axe: axeContext, log } = await launchReportBrowser());
    page = await staffContext.newPage();
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const where = msg.location()?.url ?? '';
      // The session probe before signing in answers 401 by design.
      if (/status of 401/.test(msg.text()) && /\/api\/v1\/auth\/session$/.test(where)) return;
      problems.push(`${msg.text()} (${where})`);
    });
    await staffContext.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`),
      );
    });
    axePage = await axeContext.newPage();
    await signIn(axePage, server.url, 'admin', server.password);
    await axePage.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    console.log(`e2e work dir: ${workDir}; server ${server.url}`);
  });

  after(async () => {
    await browser?.close();
    await stopServer(server);
  });

  test('the map draws countries, corridor arcs weighted by flow and incidents, offline', async () => {
    await signIn(page, server.url, 'admin', server.password);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.goto(`${server.url}/#routes`);
    await page.getByRole('heading', { level: 1, name: 'Routes' }).waitFor();
    const map = page.getByTestId('route-map');
    await map.waitFor();
    // Wait for the period's flows: the summary under the map replaces "Loading…".
    await page.locator('#rt-map-caption').getByText('incidents with').waitFor();

    const countries = await map.locator('path.rt-country').count();
    assert.ok(countries > 150, `world-atlas countries drawn: ${countries}`);
    assert.ok((await map.locator('path.rt-country.is-corridor').count()) > 40, 'corridor countries stand out');
    const arcs = await map.locator('g.rt-arc').count();
    assert.equal(arcs, 13, 'one arc group per corridor');
    // The demo counts flows on every leg: widths vary with the persons counted.
    const widths = await map
      .locator('path.rt-leg')
      .evaluateAll((els) => els.map((el) => Number(el.getAttribute('stroke-width'))));
    assert.ok(widths.length > 40, `legs drawn: ${widths.length}`);
    assert.ok(Math.max(...widths) === 12, `the busiest leg is the widest: ${Math.max(...widths)}`);
    assert.ok(new Set(widths).size > 10, 'widths follow the flows');
    assert.equal(await map.locator('path.rt-leg.is-empty').count(), 0, 'every leg has a count this month');

    // A year of incidents shows points; the table beside the map lists every corridor.
    await page.getByLabel('Period').selectOption('12');
    await page.locator('#rt-map-caption').getByText(/\d{4} to /).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('circle.rt-incident').length > 1);
    const table = page.getByTestId('corridor-table');
    assert.equal(await table.locator('tbody tr').count(), 13);
    const row = table.locator(`tr[data-corridor="${CORRIDOR}"]`);
    assert.match(await row.textContent(), /Central Mediterranean.*Libya → Tunisia → Malta → Italy/);
    assert.match(await row.locator('td').nth(2).textContent(), /^[\d,]+$/, 'persons in the period, in en-US digits');

    // The slider moves back a month and the period follows.
    const before = await page.locator('#rt-month-value').textContent();
    await page.getByLabel('Month', { exact: true }).focus();
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction((b) => document.querySelector('#rt-month-value')?.textContent !== b, before);
    await shot(page, 'map');
    assert.deepEqual(log.offOrigin, [], 'no request left 127.0.0.1');
  });

  test('the map page has no WCAG 2.1 A/AA violations', async () => {
    await checkAxe(`${server.url}/#routes`, 'g.rt-arc', 'map');
  });

  test('a corridor picked on the map shows its series, with an alarm marked and listed', async () => {
    const arc = page.locator(`g.rt-arc[data-corridor="${CORRIDOR}"]`);
    assert.match(await arc.getAttribute('aria-label'), /^Central Mediterranean: [\d,]+ persons counted/);
    await arc.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/#routes\/corridor\/central_mediterranean$/);
    await page.getByRole('heading', { level: 1, name: 'Central Mediterranean' }).waitFor();
    const chart = page.getByTestId('series-chart');
    await chart.waitFor();
    assert.equal(await chart.locator('rect.rt-bar').count(), 36, 'the 36 monitored months');
    assert.ok(await chart.locator('path.rt-expected').getAttribute('d'), 'an expected line');
    assert.ok(await chart.locator('path.rt-upper').getAttribute('d'), 'an upper bound line');
    assert.equal(await page.getByLabel('Method').inputValue(), 'ears_c2');

    // Tunisians: the demo planted a surge in the last month.
    await page.getByLabel('Nationality').selectOption('TUN');
    await page.waitForURL(/nationality=TUN/);
    await page.locator('#rt-chart-caption').getByText('Tunisia').waitFor();
    await page.getByTestId('alarm-list').waitFor();
    const marks = await chart.locator('path.rt-alarm-mark').count();
    assert.ok(marks >= 1, `alarm marks on the chart: ${marks}`);
    const listed = page.getByTestId('alarm-list').locator('li');
    assert.equal(await listed.count(), marks, 'every marked alarm is listed in text');
    assert.match(await listed.first().textContent(), /[\d,]+ detections, above the upper bound of [\d,.]+/);
    const lastPeriod = await chart.locator('path.rt-alarm-mark').last().getAttribute('data-period');
    assert.equal(await listed.first().getAttribute('data-period'), lastPeriod, 'the newest alarm comes first');
    // The surge month is flagged in the data table too, with coverage and lag beside it.
    const surgeRow = page.getByTestId('series-table').locator(`tr[data-period="${lastPeriod}"]`);
    assert.match(await surgeRow.textContent(), /Alarm.*1 of 1 sources reporting/);
    await page.locator('.rt-figures').getByText('Coverage').waitFor();
    await shot(page, 'corridor');

    // Another method is offered and answers.
    await page.getByLabel('Method').selectOption('cusum');
    await page.waitForURL(/method=cusum/);
    await page.locator('#rt-chart-caption').getByText('CUSUM').waitFor();
    assert.deepEqual(log.offOrigin, [], 'no request left 127.0.0.1');
  });

  test('the corridor page has no WCAG 2.1 A/AA violations', async () => {
    await checkAxe(`${server.url}/#routes/corridor/${CORRIDOR}?nationality=TUN&method=ears_c2`, 'path.rt-alarm-mark', 'corridor');
  });

  test('in Arabic the pages read right to left, numbers and names translated', async () => {
    await page.getByLabel('Language').selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ar');
    await page.getByRole('heading', { level: 1, name: 'وسط البحر الأبيض المتوسط' }).waitFor();
    assert.equal(await page.locator('.rt-table').evaluate((el) => getComputedStyle(el).direction), 'rtl');
    assert.ok((await page.getByTestId('series-chart').locator('path.rt-alarm-mark').count()) >= 1);
    assert.match(await page.locator('#rt-alarms-h').textContent(), /الإنذارات/);
    await page.locator('.rt-back a').click();
    await page.getByTestId('route-map').waitFor();
    await page.locator('#rt-map-caption').getByText('حادثة').waitFor();
    // Countries in order, origin first, the arrows pointing the reading way.
    const countriesAr = await page.getByTestId('corridor-table').locator(`tr[data-corridor="${CORRIDOR}"] td`).first().textContent();
    assert.match(countriesAr, /^ليبيا ← تونس ← مالطا ← إيطاليا$/);
    // The side panel sits to the left of the map in a right-to-left layout.
    const mapBox = await page.locator('.rt-figure').boundingBox();
    const sideBox = await page.locator('.rt-side').boundingBox();
    assert.ok(sideBox.x < mapBox.x, `legend left of the map in Arabic: ${sideBox.x} < ${mapBox.x}`);
    await shot(page, 'map-ar');
    // The Arabic corridor page passes axe-core too.
    await axePage.getByLabel('Language').selectOption('ar');
    await axePage.waitForFunction(() => document.documentElement.dir === 'rtl');
    await checkAxe(`${server.url}/#routes/corridor/${CORRIDOR}?nationality=TUN`, 'path.rt-alarm-mark', 'corridor in Arabic');
    assert.deepEqual(log.offOrigin, [], 'no request left 127.0.0.1');
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(problems, [], 'no console error or CSP violation');
  });
});
