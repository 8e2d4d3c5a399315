// End-to-end test of safe reporting. A member of the public, with JavaScript turned off, reports
// a concern from the plain HTML form in each language (checked with axe-core for WCAG 2.1 AA and
// for page weight), reads the receipt code and follows up with it; a coordinator who receives
// reports reads it in the web app (the script in it shown as text), replies; the reporter sees
// the reply and adds information; the coordinator opens a case from the report and closes
// another with a reason. The real server (`$CTIS_BIN demo`) on loopback, Debian's Chromium.
// Run from this folder after `npm ci` and `npm run build` in web/:
//   CTIS_BIN=/path/to/ctis node --test reports.test.mjs
// Screenshots go to a fresh temp dir (printed), never into the repo.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { apiSession, setPassword, signIn, startServer, stopServer } from './helpers.mjs';
import { axeViolations, launchReportBrowser, receiptCode, tinyPng } from './report_helpers.mjs';

const workDir = mkdtempSync(join(tmpdir(), 'ctis-e2e-reports-'));
const COORDINATOR = 'coord.amara';
const PASSWORD = 'a coordinator passphrase for the reports test';
const SCRIPT = '<script>alert("xss")</script>';
const DESCRIPTION = `Workers locked in at the farm at night. ${SCRIPT}`;
const REPLY = 'Thank you. We are looking into it; can you tell us which gate they use?';
const MORE = `The east gate, around 6 in the morning. ${SCRIPT}`;
const LANGS = { en: 'Report a concern', fr: 'Signaler', es: 'Informar', ar: 'الإبلاغ' };

let server;
let browser;
let noJs; // the reporter's context: JavaScript off
let axeContext;
let staff;
let log;
let reporter; // page in noJs
let coordinator; // page in staff
let code;
let reportId;
let otherId;

/** Staff-side API session, to find report ids by their description. */
async function idByDescription(text) {
  const call = await apiSession(server.url, COORDINATOR, PASSWORD);
  const list = await call('GET', '/api/v1/reports');
  assert.equal(list.status, 200, JSON.stringify(list.body));
  for (const item of list.body.reports) {
    const r = await call('GET', `/api/v1/reports/${item.report_id}`);
    if (r.status === 200 && r.body.submission.description === text) return item.report_id;
  }
  throw new Error(`no report with description ${text}`);
}

const shot = (page, name) => page.screenshot({ path: join(workDir, `${name}.png`), fullPage: true });

async function followUp(page, lang = 'en') {
  await page.goto(`${server.url}/report/follow-up?lang=${lang}`);
  await page.locator('#f-code').fill(code);
  await page.locator('form[action="/report/follow-up"] button[type=submit]').click();
  await page.locator('h1').waitFor();
}

describe('CTIS safe reporting: the public form without JavaScript, and staff triage', () => {
  before(async () => {
    const bin = process.env.CTIS_BIN;
    assert.ok(bin, 'CTIS_BIN must name the ctis executable');
    server = await startServer(bin, join(workDir, 'data'));
    await setPassword(bin, server.dataDir, COORDINATOR, PASSWORD);
    // The first sign-in makes the recipient's key pair, so the reports below are sealed to it.
    await apiSession(server.url, COORDINATOR, PASSWORD);
    ({ browser, noJs, axe: axeContext, staff, log } = await launchReportBrowser());
    reporter = await noJs.newPage();
    coordinator = await staff.newPage();
    console.log(`e2e work dir: ${workDir}; server ${server.url}`);
  });

  after(async () => {
    await browser?.close();
    await stopServer(server);
  });

  for (const [lang, title] of Object.entries(LANGS)) {
    test(`the form in ${lang}: no script, right direction, light, WCAG 2.1 AA`, async () => {
      const url = `${server.url}/report?lang=${lang}`;
      const response = await reporter.goto(url);
      assert.equal(response.status(), 200);
      assert.match(response.headers()['content-type'], /^text\/html/);
      const html = await response.text();
      assert.doesNotMatch(html, /<script/i);
      const root = reporter.locator('html');
      assert.equal(await root.getAttribute('lang'), lang);
      assert.equal(await root.getAttribute('dir'), lang === 'ar' ? 'rtl' : 'ltr');
      assert.match(await reporter.locator('h1').textContent(), new RegExp(title));
      // The weight of the page: the document and its one stylesheet.
      const css = await reporter.request.get(`${server.url}/report/style.css`);
      assert.equal(css.status(), 200);
      const weight = Buffer.byteLength(html) + (await css.body()).length;
      assert.ok(weight < 200 * 1024, `page weight ${weight} B`);
      console.log(`/report?lang=${lang}: ${weight} B with its stylesheet`);
      // Links to the three other languages.
      assert.equal(await reporter.locator('nav.langs a').count(), 3);

      const page = await axeContext.newPage();
      await page.goto(url);
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
      await page.close();

      // A report in this language, then the follow-up with its code, still without JavaScript.
      await reporter.locator('#f-description').fill(`A short report written in ${lang}.`);
      await reporter.locator('form[action="/report"] button[type=submit]').click();
      await reporter.locator('.receipt').waitFor();
      const ownCode = await receiptCode(reporter);
      await reporter.goto(`${server.url}/report/follow-up?lang=${lang}`);
      await reporter.locator('#f-code').fill(ownCode);
      await reporter.locator('form[action="/report/follow-up"] button[type=submit]').click();
      await reporter.locator('.status').waitFor();
      assert.equal(await reporter.locator('html').getAttribute('lang'), lang);
      assert.ok((await reporter.locator('.status').textContent()).trim().length > 0);
    });
  }

  test('a report with a photo and a script in it; the receipt code is shown once', async () => {
    await reporter.goto(`${server.url}/report?lang=en`);
    await reporter.locator('#f-place_country').selectOption('ES');
    await reporter.locator('#f-place').fill('Farm near the river road');
    await reporter.locator('#f-work_type').selectOption('agriculture');
    await reporter.getByLabel('They cannot leave or come and go freely').check();
    await reporter.getByLabel('Someone watches or guards them').check();
    await reporter.getByLabel('Adults', { exact: true }).check();
    await reporter.locator('#f-people_count').fill('12');
    await reporter.getByLabel('This week').check();
    await reporter.locator('#f-description').fill(DESCRIPTION);
    await reporter.locator('#f-attachments').setInputFiles({ name: 'gate.png', mimeType: 'image/png', buffer: tinyPng() });
    await reporter.getByRole('button', { name: 'Send the report' }).click();
    await reporter.getByRole('heading', { level: 1, name: 'Thank you. Your report was sent.' }).waitFor();
    code = await receiptCode(reporter);
    assert.match(code, /^[0-9A-Z]{4}(-[0-9A-Z]{1,4}){3,4}$/, code);
    assert.match(await reporter.locator('main').textContent(), /shown only once/);

    // A second report, in French, without a photo: the one closed below.
    await reporter.goto(`${server.url}/report?lang=fr`);
    await reporter.locator('#f-work_type').selectOption('fishing');
    await reporter.locator('#f-description').fill('Un bateau de pêche reste au port depuis des semaines.');
    await reporter.getByRole('button', { name: 'Envoyer le signalement' }).click();
    await reporter.getByRole('heading', { level: 1, name: 'Merci. Votre signalement a été envoyé.' }).waitFor();
  });

  test('a description left empty is asked for again, the answers kept', async () => {
    await reporter.goto(`${server.url}/report?lang=es`);
    await reporter.locator('#f-place').fill('Mercado central');
    await reporter.getByRole('button', { name: 'Enviar la denuncia' }).click();
    const summary = reporter.locator('.error-summary[role=alert]');
    await summary.waitFor();
    assert.equal(await summary.locator('a[href="#f-description"]').count(), 1);
    assert.equal(await reporter.locator('#f-description').getAttribute('aria-invalid'), 'true');
    assert.equal(await reporter.locator('#f-place').inputValue(), 'Mercado central');
  });

  test('the reporter follows up with the code: received, no messages yet', async () => {
    await followUp(reporter);
    assert.equal(await reporter.locator('h1').textContent(), 'Your report');
    assert.match(await reporter.locator('.status').textContent(), /Received/);
    assert.equal(await reporter.locator('.thread li').count(), 0);
    // A wrong code is refused without saying more.
    await reporter.goto(`${server.url}/report/follow-up?lang=en`);
    await reporter.locator('#f-code').fill('0000-0000-0000-0000-00');
    await reporter.locator('form[action="/report/follow-up"] button[type=submit]').click();
    await reporter.locator('.error-summary[role=alert]').getByText('This code was not found').waitFor();
  });

  test('the coordinator reads the report (the script as text) and replies', async () => {
    reportId = await idByDescription(DESCRIPTION);
    otherId = await idByDescription('Un bateau de pêche reste au port depuis des semaines.');
    await signIn(coordinator, server.url, COORDINATOR, PASSWORD);
    await coordinator.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await coordinator.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Reports' }).click();
    await coordinator.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    const row = coordinator.locator(`[data-testid=report-queue] tr[data-report="${reportId}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), /Farm or plantation work/);
    await row.getByRole('link').click();
    await coordinator.getByRole('heading', { level: 1, name: `Report ${reportId}` }).waitFor();
    assert.equal(await coordinator.getByTestId('report-description').textContent(), DESCRIPTION);
    assert.equal(await coordinator.locator('[data-sign="cannot_leave"]').textContent(), 'They cannot leave or come and go freely');
    assert.equal(await coordinator.locator('[data-field="people_count"]').textContent(), '12');
    assert.equal(await coordinator.locator('.rp-files a').count(), 1);
    await coordinator.getByLabel('Reply or note').fill(REPLY);
    await coordinator.getByRole('button', { name: 'Send to reporter' }).click();
    await coordinator.getByTestId('report-thread').getByText(REPLY).waitFor();
    await coordinator.getByLabel('Reply or note').fill('Checked the map: two farms on that road.');
    await coordinator.getByRole('button', { name: 'Add internal note' }).click();
    await coordinator.locator('.rp-msg-internal').getByText('Checked the map').waitFor();
    await shot(coordinator, 'staff-report');
  });

  test('the staff queue and report page pass axe-core (WCAG 2.1 AA)', async () => {
    const page = await axeContext.newPage();
    await signIn(page, server.url, COORDINATOR, PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.goto(`${server.url}/#reports`);
    await page.locator(`[data-testid=report-queue] tr[data-report="${reportId}"]`).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'the report queue');
    await page.goto(`${server.url}/#reports/${reportId}`);
    await page.getByTestId('report-thread').getByText(REPLY).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'a report');
    await page.close();
  });

  test('the reporter sees the reply (not the note) and adds information', async () => {
    await followUp(reporter);
    const thread = reporter.locator('.thread');
    await thread.getByText(REPLY).waitFor();
    assert.equal(await thread.getByText('Checked the map').count(), 0);
    await reporter.locator('#f-text').fill(MORE);
    await reporter.getByRole('button', { name: 'Send', exact: true }).click();
    await reporter.locator('.thread').getByText('The east gate').waitFor();
    await shot(reporter, 'reporter-thread');
    const mine = reporter.locator('.msg-reporter .body');
    assert.equal(await mine.last().textContent(), MORE);
  });

  test('the coordinator sees it, opens a case from the report and closes the other', async () => {
    await coordinator.reload();
    await coordinator.getByTestId('report-thread').getByText('The east gate').waitFor();
    assert.equal(
      await coordinator.locator('.rp-msg-reporter .rp-text').last().textContent(),
      MORE,
    );
    await coordinator.getByRole('button', { name: 'Open a new case from this report' }).click();
    const open = coordinator.locator('#report-new-case a');
    await open.waitFor();
    assert.match(await open.getAttribute('href'), /^#cases\/\d+$/);
    await coordinator.getByTestId('report-case').waitFor();

    await coordinator.goto(`${server.url}/#reports/${otherId}`);
    await coordinator.getByRole('heading', { level: 1, name: `Report ${otherId}` }).waitFor();
    await coordinator.getByLabel('Reason for closing').fill('Not trafficking: a boat under repair.');
    await coordinator.getByRole('button', { name: 'Close the report' }).click();
    await coordinator.getByTestId('report-closed').getByText('a boat under repair').waitFor();
    assert.equal(await coordinator.locator('.page-head .rp-status').getAttribute('data-status'), 'closed');
  });

  test('nothing ran from the texts, nothing left 127.0.0.1, no page errors', () => {
    assert.deepEqual(log.dialogs, []);
    assert.deepEqual(log.offOrigin, []);
    assert.deepEqual(log.pageErrors, []);
  });
});
