// End-to-end test of possible duplicates and linkage projects on the demo server. A coordinator
// made with the real CLI creates two cases through the API whose persons differ by a typo in the
// family name, opens one case and sees the other as a possible duplicate with its reasons, opens
// the side-by-side review and marks the pair as the same person (it is then not proposed
// again); then opens the linkage projects page and creates a project. The review reads right to
// left in Arabic; axe-core finds no WCAG A/AA violation on the pages; no request leaves
// 127.0.0.1. Run from this folder after `npm ci` and `npm run build` in web/:
//   CTIS_BIN=/path/to/ctis node --test linkage.test.mjs
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  VIEWPORT,
  apiSession,
  isExpected401,
  launchBrowser,
  runCli,
  signIn,
  startServer,
  stopServer,
} from './helpers.mjs';
import { axeViolations } from './report_helpers.mjs';

const workDir = mkdtempSync(join(tmpdir(), 'ctis-e2e-linkage-'));
const COORDINATOR = 'coord.linkage';
const PASSWORD = 'a passphrase for the linkage e2e test';
const ORG = 'National Referral Office';

let server;
let context;
let page;
let log;
let call;
let axeBrowser; // axe-core is injected as a script, which the app's CSP rightly refuses: it runs
let axePage; // in a separate browser that bypasses CSP, signed in as the same coordinator
let first; // case ids
let second;

const shot = (name) => page.screenshot({ path: join(workDir, `${name}.png`), fullPage: true });

/** Opens `hash` in the axe browser, waits for `selector`, and expects no WCAG A/AA violation. */
async function expectNoAxeViolations(what, hash, selector) {
  await axePage.goto(`${server.url}/${hash}`);
  await axePage.locator(selector).first().waitFor();
  const v = await axeViolations(axePage);
  assert.deepEqual(v, [], `axe-core violations on ${what}: ${JSON.stringify(v, null, 1)}`);
}

function caseInput(familyName) {
  return {
    person: { given_name: 'Zainab', family_name: familyName, birth_date: '1993-04-21', document_number: 'PX4471902' },
    profile: { gender: 'woman', citizenship: 'NGA', year_of_registration: 2025, exploitation: ['forced_labour'] },
    immigration_status: 'irregular (e2e, must not show in the review)',
  };
}

describe('CTIS possible duplicates and linkage projects', () => {
  before(async () => {
    const bin = process.env.CTIS_BIN;
    assert.ok(bin, 'CTIS_BIN must name the ctis executable');
    server = await startServer(bin, join(workDir, 'data'));
    await runCli(
      bin,
      ['user', 'add', COORDINATOR, '--role', 'coordinator', '--org', ORG, '--password-stdin', '--data', server.dataDir],
      `${PASSWORD}\n`,
    );
    call = await apiSession(server.url, COORDINATOR, PASSWORD);
    const a = await call('POST', '/api/v1/cases', caseInput('Kowalczyk'));
    assert.equal(a.status, 201, JSON.stringify(a.body));
    const b = await call('POST', '/api/v1/cases', caseInput('Kowalczik'));
    assert.equal(b.status, 201, JSON.stringify(b.body));
    first = a.body.id;
    second = b.body.id;
    ({ context, page, log } = await launchBrowser(workDir, isExpected401));
    axeBrowser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const axeContext = await axeBrowser.newContext({ viewport: VIEWPORT, locale: 'en-US', bypassCSP: true });
    axeContext.on('request', (req) => {
      if (!/^(data|blob|about):/.test(req.url()) && new URL(req.url()).hostname !== '127.0.0.1')
        log.offOrigin.push(req.url());
    });
    axePage = await axeContext.newPage();
    await signIn(axePage, server.url, COORDINATOR, PASSWORD);
    await axePage.locator('.topbar').waitFor();
    console.log(`linkage e2e: screenshots in ${workDir}`);
  });

  after(async () => {
    await context?.close();
    await axeBrowser?.close();
    await stopServer(server);
    if (process.env.CTIS_E2E_KEEP !== '1') rmSync(workDir, { recursive: true, force: true });
  });

  test('the API finds the pair with its reasons', async () => {
    const r = await call('GET', `/api/v1/cases/${first}/duplicates`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const c = r.body.candidates.find((x) => x.case_id === second);
    assert.ok(c, `case ${second} is a possible duplicate of ${first}: ${JSON.stringify(r.body)}`);
    assert.ok(c.probability > 0.99);
    const family = c.reasons.find((x) => x.field === 'family_name');
    assert.equal(family.level, 'jaro-winkler >= 0.92');
    assert.ok(!JSON.stringify(r.body).includes('must not show'));
  });

  test('the case page shows the possible duplicate and its reasons', async () => {
    await signIn(page, server.url, COORDINATOR, PASSWORD);
    await page.locator('.topbar').waitFor();
    await page.goto(`${server.url}/#cases/${first}`);
    const panel = page.locator('section.dup-panel');
    await panel.waitFor();
    assert.equal(await panel.getByRole('heading', { name: 'Possible duplicates' }).count(), 1);
    const link = panel.getByRole('link', { name: 'Zainab Kowalczik' });
    await link.waitFor();
    const text = await panel.innerText();
    assert.match(text, /Family name: similar spelling/);
    assert.match(text, /Document number: the same/);
    await shot('case-duplicates');
    await expectNoAxeViolations('the case page with its duplicates panel', `#cases/${first}`, 'section.dup-panel');
    await link.click();
  });

  test('the side-by-side review shows both records and records the decision', async () => {
    const table = page.locator('table.lk-side');
    await table.waitFor();
    const text = await table.innerText();
    assert.match(text, /Kowalczyk/);
    assert.match(text, /Kowalczik/);
    assert.match(text, /PX4471902/);
    assert.ok(!(await page.content()).includes('must not show'), 'no immigration status in the review');
    await expectNoAxeViolations('the side-by-side review', `#linkage/review/${first}/${second}`, 'table.lk-side');
    await page.getByRole('button', { name: 'Same person' }).click();
    await page.locator('#lk-notice:not([hidden])').waitFor();
    assert.match(await page.locator('.lk-decided').innerText(), /the same person/);
    await shot('pair-decided');
    const pair = await call('GET', `/api/v1/cases/${first}/duplicates/${second}`);
    assert.equal(pair.body.decision.decision, 'same_person');
    const again = await call('GET', `/api/v1/cases/${first}/duplicates`);
    assert.ok(!again.body.candidates.some((x) => x.case_id === second), 'a decided pair is not proposed again');
    // "Same person" links the cases: the first case's page lists the second.
    const linked = await call('GET', `/api/v1/cases/${first}`);
    assert.ok(linked.body.linked_cases.some((x) => x.case_id === second), JSON.stringify(linked.body.linked_cases));
    await page.goto(`${server.url}/#cases/${first}`);
    const card = page.locator('section[aria-labelledby="linked-h"]');
    await card.waitFor();
    assert.equal(await card.getByRole('heading', { name: 'Same person' }).count(), 1);
    assert.equal(await card.locator(`a[href="#cases/${second}"]`).count(), 1);
    assert.match(await card.innerText(), /Linked by /);
  });

  test('the review reads right to left in Arabic', async () => {
    await page.goto(`${server.url}/#linkage/review/${first}/${second}`);
    await page.locator('table.lk-side').waitFor();
    await page.getByLabel('Language').selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.getByRole('heading', { name: 'مراجعة جنبًا إلى جنب' }).waitFor();
    await shot('pair-arabic');
    await page.evaluate(() => localStorage.setItem('ctis.locale', 'en'));
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dir === 'ltr');
  });

  test('the coordinator creates a linkage project', async () => {
    await page.goto(`${server.url}/#linkage`);
    await page.getByRole('heading', { name: 'Linkage projects' }).first().waitFor();
    await expectNoAxeViolations('the linkage projects page', '#linkage', '.linkage-head');
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByLabel('Name').fill('Pilot with the shelter network');
    await page.getByLabel('Parties').fill(`${ORG}\nSafe Harbour NGO`);
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'Pilot with the shelter network' }).waitFor();
    const parties = await page.locator('table.linkage-table').innerText();
    assert.match(parties, /Safe Harbour NGO/);
    assert.match(await page.locator('#lk-mine').innerText(), /not uploaded yet/);
    await shot('project');
    const id = (await call('GET', '/api/v1/linkage/projects')).body.projects[0].id;
    await expectNoAxeViolations('a linkage project', `#linkage/projects/${id}`, '#lk-mine');
    const list = await call('GET', '/api/v1/linkage/projects');
    assert.ok(list.body.projects.some((p) => p.name === 'Pilot with the shelter network'));
  });

  test('nothing left 127.0.0.1 and the page logged no error', () => {
    assert.deepEqual(log.offOrigin, []);
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.consoleErrors, []);
  });
});
