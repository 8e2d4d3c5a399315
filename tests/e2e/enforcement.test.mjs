// End-to-end test of the law-enforcement view: the demo's police officer (`police.kofi`, Police
// Anti-Trafficking Unit) sees only the cases referred to the unit with the person's consent, each
// with the non-punishment flag and a note on the view, the identifiers, route and profile, and
// nothing of the assistance side: no immigration status, no timeline, screening, assistance or
// files, no editing, and no request the role would be refused. The real server
// (`$CTIS_BIN demo`) on loopback, Debian's Chromium via playwright-core. Run from this folder
// after `npm ci` and `npm run build` in web/:
//   CTIS_BIN=/path/to/ctis node --test enforcement.test.mjs
// Screenshots and the browser profile go to a fresh temp dir (printed), never into the repo.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  allCases,
  apiSession,
  isExpected401,
  launchBrowser,
  setPassword,
  signIn,
  startServer,
  stopServer,
} from './helpers.mjs';

const workDir = mkdtempSync(join(tmpdir(), 'ctis-e2e-enforcement-'));
const POLICE = 'police.kofi';
const COORDINATOR = 'coord.amara';
const PASSWORD = 'a passphrase for the enforcement e2e test';
// Recorded by the coordinator on the case the officer opens; it must never reach the officer.
const IMMIGRATION = 'Visa overstay, removal order suspended (e2e)';

let server;
let context;
let page;
let log;
let coordinator; // API session of the case's organisation's coordinator
let visible; // the cases the officer may see, as the API gives them to the officer
let shown; // the case the officer opens: { id, reference }
let hidden; // a case of the same organisation not referred to the police: { id, reference }

// Besides the session probe's 401, the one case the test opens on purpose that the officer may
// not see answers 404, which Chromium logs as a failed resource.
let expectedNotFound = null; // RegExp for that URL while it is expected
const isExpected = (msg) =>
  isExpected401(msg) ||
  (!!expectedNotFound && /status of 404/.test(msg.text()) && expectedNotFound.test(msg.location()?.url ?? ''));

const shot = (name) => page.screenshot({ path: join(workDir, `${name}.png`), fullPage: true });

// Case work the role is refused (403) or that is not for it: the page must not even ask.
const REFUSED = [
  /\/api\/v1\/cases\/\d+\/(history|notes|screenings|services|referrals|procedures|attachments|classification)(\/|\?|$)/,
  /\/api\/v1\/(reminders|users|organisations|indicators|legal)(\/|\?|$)/,
];

describe('CTIS cases: the law-enforcement view', () => {
  before(async () => {
    const bin = process.env.CTIS_BIN;
    assert.ok(bin, 'CTIS_BIN must name the ctis executable');
    server = await startServer(bin, join(workDir, 'data'));
    for (const user of [POLICE, COORDINATOR]) await setPassword(bin, server.dataDir, user, PASSWORD);

    // What the officer may see, and one referred case of the same organisation that is not
    // shared with the police.
    const police = await apiSession(server.url, POLICE, PASSWORD);
    visible = await allCases(police);
    assert.ok(visible.length > 0, 'the demo refers some cases to the police');
    coordinator = await apiSession(server.url, COORDINATOR, PASSWORD);
    const referred = await allCases(coordinator, '&status=referred');
    const seen = new Set(visible.map((c) => c.id));
    hidden = referred.find((c) => !seen.has(c.id));
    assert.ok(hidden, 'some referred cases are not shared with the police');

    // The case the officer opens: the flag set, an immigration status recorded.
    shown = visible[0];
    const set = await coordinator('PATCH', `/api/v1/cases/${shown.id}`, {
      non_punishment: true,
      immigration_status: IMMIGRATION,
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.immigration_status, IMMIGRATION, 'the coordinator sees it');

    ({ context, page, log } = await launchBrowser(workDir, isExpected));
    console.log(`e2e work dir: ${workDir}; server ${server.url}`);
  });

  after(async () => {
    await context?.close().catch(() => {});
    await stopServer(server);
    rmSync(join(workDir, 'profile'), { recursive: true, force: true });
  });

  test('the API shows the officer referred cases only, without the immigration status', async () => {
    for (const c of visible) {
      assert.equal(c.status, 'referred', `${c.reference}: only cases referred to the unit`);
      assert.ok(!('immigration_status' in c), `${c.reference}: no immigration status`);
      assert.ok(c.person, `${c.reference}: the identifiers are shown`);
    }
  });

  test('the officer signs in and sees the referred cases in the list', async () => {
    await signIn(page, server.url, POLICE, PASSWORD);
    await page.getByTestId('user-role').getByText('Law enforcement').waitFor();

    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Cases' }).click();
    await page.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
    const rows = page.locator('tr[data-case]');
    await rows.first().waitFor();
    const refs = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-case')));
    const allowed = new Set(visible.map((c) => c.reference));
    assert.ok(refs.length > 0 && refs.length <= visible.length);
    for (const ref of refs) assert.ok(allowed.has(ref), `${ref} is referred to the police`);
    assert.ok(!refs.includes(hidden.reference), 'a case not referred to the police is not listed');
    for (const status of await rows.locator('.chip[class*="chip-status-"]').allTextContents()) {
      assert.equal(status, 'Referred');
    }
    assert.equal(await page.getByRole('link', { name: 'New case' }).count(), 0, 'no case can be opened');
    // Officers see who the person is (unlike analysts) and are reminded of non-punishment.
    await page.getByText('Every person here is a presumed victim').waitFor();
    assert.equal(await page.getByRole('columnheader', { name: 'Name' }).count(), 1, 'a name column');
    await shot('list');
  });

  test('a case shows identifiers, route, profile and the non-punishment banner, nothing else', async () => {
    const before = log.requests.length;
    await page.goto(`${server.url}/#cases/${shown.id}`);
    await page.getByTestId('case-reference').getByText(shown.reference).waitFor();

    // The flag as the prominent banner, and the note on what this view leaves out.
    const banner = page.getByTestId('non-punishment');
    assert.match(await banner.textContent(), /Non-punishment applies/);
    assert.equal(await page.locator('.np-banner').count(), 1);
    assert.match(await page.getByTestId('enforcement-view').textContent(), /presumed victim of trafficking/);

    // Identifiers, profile, route.
    const name = [shown.person.given_name, shown.person.family_name].filter(Boolean).join(' ');
    if (name) await page.locator('.case-head').getByText(name).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Person' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Profile' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Route' }).waitFor();

    // No immigration status, no tabs, no editing.
    const labels = await page.locator('.facts dt').allTextContents();
    assert.ok(labels.includes('Given name') && labels.includes('Citizenship'), 'identifiers and profile');
    assert.ok(!labels.includes('Immigration status'), 'no immigration status field');
    const text = await page.locator('body').innerText();
    assert.doesNotMatch(text, /Immigration status/, 'not even as a label');
    assert.ok(!text.includes(IMMIGRATION), 'the immigration status is not on the page');
    assert.ok(!(await page.content()).includes(IMMIGRATION), 'nor anywhere in the document');
    assert.equal(await page.locator('nav.tabs').count(), 0, 'no tabs');
    for (const tab of ['Timeline', 'Screening', 'Assistance', 'Files', 'Legal classification']) {
      assert.equal(await page.getByRole('link', { name: tab, exact: true }).count(), 0, `no ${tab} tab`);
    }
    assert.equal(await page.getByRole('link', { name: 'Edit' }).count(), 0, 'no edit button');
    assert.equal(await page.getByRole('button', { name: 'Change status' }).count(), 0, 'no status change');
    assert.equal(await page.locator('form').count(), 0, 'nothing to fill in');
    await shot('case');

    // Typing the address of a case-work section shows a refusal, and asks the server nothing.
    for (const tab of ['timeline', 'assistance', 'files']) {
      await page.goto(`${server.url}/#cases/${shown.id}/${tab}`);
      await page.locator('.tab-body').getByText('You are not allowed to do this.').waitFor();
    }
    await page.goto(`${server.url}/#cases/${shown.id}/edit`);
    await page.getByText('You are not allowed to do this.').first().waitFor();
    const asked = log.requests.slice(before).filter((u) => REFUSED.some((re) => re.test(u)));
    assert.deepEqual(asked, [], 'requests the role is refused');
  });

  test('a case not referred to the police is not found', async () => {
    expectedNotFound = new RegExp(`/api/v1/cases/${hidden.id}$`);
    await page.goto(`${server.url}/#cases/${hidden.id}`);
    await page.locator('#case-error').getByText('This case does not exist, or you may not see it.').waitFor();
    assert.equal(await page.getByText(hidden.reference).count(), 0);
    expectedNotFound = null;
  });

  test('in Arabic the view note and the banner are translated and mirrored', async () => {
    await page.goto(`${server.url}/#cases/${shown.id}`);
    await page.getByTestId('enforcement-view').waitFor();
    await page.getByLabel('Language').selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    assert.match(await page.getByTestId('non-punishment').textContent(), /ينطبق مبدأ عدم المعاقبة/);
    assert.match(await page.getByTestId('enforcement-view').textContent(), /جهات إنفاذ القانون/);
    assert.ok(!(await page.content()).includes(IMMIGRATION));
    await shot('case-ar');
    await page.getByLabel('اللغة').selectOption('en');
    await page.waitForFunction(() => document.documentElement.dir === 'ltr');
  });

  test('no request left 127.0.0.1, no console error, no CSP violation', () => {
    assert.ok(log.requests.length > 0, 'the browser made requests');
    assert.deepEqual(log.offOrigin, [], 'requests to other hosts');
    assert.deepEqual(log.consoleErrors, [], 'console errors (including CSP violations)');
    assert.deepEqual(log.pageErrors, [], 'uncaught page errors');
    assert.deepEqual(log.failedRequests, [], 'failed requests');
    const refused = log.requests.filter((u) => REFUSED.some((re) => re.test(u)));
    assert.deepEqual(refused, [], 'requests the role is refused');
  });
});
