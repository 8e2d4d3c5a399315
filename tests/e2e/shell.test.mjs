// End-to-end test of the CTIS web shell: the real server (`$CTIS_BIN demo`) on loopback, driven
// by Debian's Chromium through playwright-core. Run from this folder after `npm ci`:
//   CTIS_BIN=/path/to/ctis node --test shell.test.mjs
// Screenshots and the browser profile go to a fresh temp dir (printed), never into the repo.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { VIEWPORT, isExpected401, launchBrowser, startServer, stopServer } from './helpers.mjs';

const workDir = mkdtempSync(join(tmpdir(), 'ctis-e2e-'));
let server; // { child, url, password, output() }
let context;
let page;
let log; // requests, offOrigin, consoleErrors, pageErrors, failedRequests

async function navBox() {
  const box = await page.locator('nav.sidenav').boundingBox();
  assert.ok(box, 'the navigation is visible');
  return box;
}

describe('CTIS web shell', () => {
  before(async () => {
    const bin = process.env.CTIS_BIN;
    assert.ok(bin, 'CTIS_BIN must name the ctis executable');
    server = await startServer(bin, join(workDir, 'data'));
    ({ context, page, log } = await launchBrowser(workDir, isExpected401));
    console.log(`e2e work dir: ${workDir}; server ${server.url}`);
  });

  after(async () => {
    await context?.close().catch(() => {});
    await stopServer(server);
    rmSync(join(workDir, 'profile'), { recursive: true, force: true });
  });

  test('the sign-in page loads and a wrong password shows the API error', async () => {
    await page.goto(server.url + '/');
    await page.getByLabel('Username').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'ltr');
    assert.equal(await page.title(), 'Sign in – CTIS');

    // Empty form: the fields say what is missing, nothing is sent.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#login-username-error').getByText('This field is required.').waitFor();

    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.locator('#login-error');
    await alert.waitFor({ state: 'visible' });
    assert.equal(await alert.getAttribute('role'), 'alert');
    assert.equal((await alert.textContent()).trim(), 'The username or password is incorrect.');
    assert.equal(await page.getByLabel('Username').inputValue(), 'admin', 'the username is kept');
    assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password is cleared');
    assert.equal(await page.locator('nav').count(), 0, 'still on the sign-in page');
  });

  test('sign in, dashboard, Arabic mirrors, back to English, sign out', async () => {
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(server.password);
    await page.getByLabel('Password').press('Enter');

    // The shell: landmarks, the user's name and role, the cards from the API.
    await page.getByTestId('user-name').getByText('Administrator').waitFor();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    assert.equal(await page.getByTestId('user-role').textContent(), 'Administrator');
    assert.equal(await page.locator('header').count(), 1);
    assert.equal(await page.locator('main').count(), 1);
    assert.equal(await page.locator('nav[aria-label="Main navigation"] [aria-current="page"]').textContent(), 'Dashboard');
    await page.locator('.card').first().waitFor();
    const cards = await page.locator('.card').evaluateAll((els) =>
      els.map((el) => ({
        id: el.getAttribute('data-card'),
        title: el.querySelector('.card-title')?.textContent,
        value: el.querySelector('.card-value')?.textContent,
      })),
    );
    assert.ok(cards.length >= 1, 'the dashboard shows cards');
    for (const card of cards) {
      assert.ok(card.title && card.value, `card ${card.id} has a title and a value`);
      if (card.id === 'users') assert.equal(card.title, 'Users');
      if (card.id === 'version') assert.equal(card.title, 'Version');
    }
    await page.screenshot({ path: join(workDir, 'dashboard-en.png'), fullPage: true });

    const ltrNav = await navBox();
    assert.ok(ltrNav.x < VIEWPORT.width / 4, `navigation on the left in English (x=${ltrNav.x})`);

    // Arabic: <html dir="rtl" lang="ar">, the layout mirrors, Arabic text and digits.
    await page.getByLabel('Language').selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ar');
    await page.getByRole('heading', { level: 1, name: 'لوحة المعلومات' }).waitFor();
    await page.getByRole('button', { name: 'تسجيل الخروج' }).waitFor();
    assert.equal(await page.getByTestId('user-role').textContent(), 'مسؤول النظام');
    const rtlNav = await navBox();
    assert.ok(
      rtlNav.x > VIEWPORT.width / 2 && Math.abs(rtlNav.x + rtlNav.width - VIEWPORT.width) < 2,
      `navigation on the right in Arabic (x=${rtlNav.x}, width=${rtlNav.width})`,
    );
    const mainBox = await page.locator('main').boundingBox();
    assert.ok(mainBox.x + mainBox.width <= rtlNav.x + 1, 'main content left of the navigation');
    const users = cards.find((c) => c.id === 'users');
    if (users && /^\d+$/.test(users.value)) {
      const arabicValue = await page.locator('.card[data-card="users"] .card-value').textContent();
      assert.equal(arabicValue, new Intl.NumberFormat('ar').format(Number(users.value)));
    }
    assert.equal(await page.evaluate(() => localStorage.getItem('ctis.locale')), 'ar');
    await page.screenshot({ path: join(workDir, 'dashboard-ar.png'), fullPage: true });

    // The choice and the session survive a reload.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'لوحة المعلومات' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');

    // Back to English.
    await page.getByLabel('اللغة').selectOption('en');
    await page.waitForFunction(() => document.documentElement.dir === 'ltr');
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    assert.ok((await navBox()).x < VIEWPORT.width / 4, 'navigation back on the left');

    // Sign out: back to the sign-in page, and the session is gone on the server.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByText('You have been signed out.').waitFor();
    assert.equal(await page.locator('nav').count(), 0);
    await page.reload();
    await page.getByLabel('Password').waitFor();
    assert.equal(await page.getByTestId('user-name').count(), 0, 'still signed out after a reload');
  });

  test('no request left 127.0.0.1, no console error, no CSP violation', () => {
    assert.ok(log.requests.length > 0, 'the browser made requests');
    assert.deepEqual(log.offOrigin, [], 'requests to other hosts');
    assert.deepEqual(log.consoleErrors, [], 'console errors (including CSP violations)');
    assert.deepEqual(log.pageErrors, [], 'uncaught page errors');
    assert.deepEqual(log.failedRequests, [], 'failed requests');
  });
});
