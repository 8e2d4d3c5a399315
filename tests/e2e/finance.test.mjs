// End-to-end test of the FIU finance desk: the demo keeps a finance scan, which the server loads
// into the desk at start. An FIU analyst made with the real CLI signs in, opens the review queue,
// opens an item and sees its explanation, rule, transactions and the network graph, expands a
// node with the keyboard, dismisses one item with a reason, escalates another and downloads its
// goAML STR (XML naming the subject), reads the risk ranking (accounts and parties with their
// reasons, an account leading to its item), and reads the item in Arabic (right to left). axe-core
// finds no WCAG A/AA violation; no request leaves 127.0.0.1. Run from this folder after
// `npm ci` and `npm run build` in web/:
//   CTIS_BIN=/path/to/ctis node --test finance.test.mjs
// The server validates STRs against the goAML 5.0.1 XSD of the shared data folder
// (CTIS_SHARED_DATA, by default ../shared/data beside the repository).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { apiSession, isExpected401, launchBrowser, runCli, signIn, startServer, stopServer } from './helpers.mjs';
import { axeViolations, launchReportBrowser } from './report_helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
process.env.CTIS_SHARED_DATA ??= resolve(here, '../../../shared/data');
const XSD = join(process.env.CTIS_SHARED_DATA, 'finance', 'goaml-5.0.1', 'goAMLSchema.xsd');

const workDir = mkdtempSync(join(tmpdir(), 'ctis-e2e-finance-'));
const ANALYST = 'fiu.e2e';
const PASSWORD = 'a passphrase for the finance e2e test';
const REASON = 'Known seasonal employer payroll (e2e)';

let server;
let context;
let page;
let log;
let call; // the analyst's API session, to pick items and check outcomes
let toEscalate; // an item (new)
let toDismiss; // another item (new)
let axeBrowser; // a second browser whose context bypasses the CSP, so axe-core can be injected
let axePage;
let axeLog;

const shot = (name) => page.screenshot({ path: join(workDir, `${name}.png`), fullPage: true });

// Opens the same page in the axe-core context (signed in as the analyst) and checks it.
async function expectNoAxeViolations(what, hash, ready, locale = 'en') {
  await axePage.goto(`${server.url}/${hash}`);
  await axePage.locator(ready).first().waitFor();
  if (locale !== 'en') {
    await axePage.getByTestId('language').first().selectOption(locale);
    await axePage.waitForFunction((code) => document.documentElement.lang === code, locale);
    await axePage.locator(ready).first().waitFor();
  }
  const v = await axeViolations(axePage);
  assert.deepEqual(v, [], `axe-core violations on ${what}: ${JSON.stringify(v, null, 1)}`);
}

describe('CTIS finance desk', () => {
  before(async () => {
    const bin = process.env.CTIS_BIN;
    assert.ok(bin, 'CTIS_BIN must name the ctis executable');
    assert.ok(existsSync(XSD), `the goAML schema is missing: ${XSD} (set CTIS_SHARED_DATA)`);
    server = await startServer(bin, join(workDir, 'data'));
    await runCli(
      bin,
      ['user', 'add', ANALYST, '--role', 'fiu_analyst', '--org', 'Financial Intelligence Unit', '--password-stdin', '--data', server.dataDir],
      `${PASSWORD}\n`,
    );
    call = await apiSession(server.url, ANALYST, PASSWORD);
    const queue = await call('GET', '/api/v1/finance/items?status=new&limit=50');
    assert.equal(queue.status, 200, JSON.stringify(queue.body));
    assert.ok(queue.body.total >= 2, 'the demo scan gives the desk several items');
    // The item to open and escalate has counterparties to show (cash-only subjects have none).
    for (const item of queue.body.items) {
      const net = await call('GET', `/api/v1/finance/items/${item.id}/network?hops=1`);
      if (net.status === 200 && net.body.nodes.length > 2) {
        toEscalate = item;
        break;
      }
    }
    assert.ok(toEscalate, 'some subject of the demo scan has counterparties');
    toDismiss = queue.body.items.find((i) => i.id !== toEscalate.id);
    ({ context, page, log } = await launchBrowser(workDir, isExpected401));
    const checker = await launchReportBrowser();
    axeBrowser = checker.browser;
    axeLog = checker.log;
    axePage = await checker.axe.newPage();
    await signIn(axePage, server.url, ANALYST, PASSWORD);
    await axePage.getByRole('link', { name: 'Finance' }).first().waitFor();
    console.log(`finance e2e: screenshots in ${workDir}`);
  });

  after(async () => {
    await context?.close();
    await axeBrowser?.close();
    await stopServer(server);
    if (process.env.CTIS_E2E_KEEP !== '1') rmSync(workDir, { recursive: true, force: true });
  });

  test('the analyst opens the review queue', async () => {
    await signIn(page, server.url, ANALYST, PASSWORD);
    await page.getByRole('link', { name: 'Finance' }).first().click();
    const queue = page.getByTestId('finance-queue');
    await queue.waitFor();
    assert.ok((await queue.locator('tbody tr').count()) >= 2);
    assert.equal(await queue.locator(`tr[data-item="${toEscalate.id}"] [data-status="new"]`).count(), 1);
    // The typology filter narrows the queue to one typology.
    await page.getByLabel('Typology').selectOption(toEscalate.typology);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(new RegExp(`typology=${toEscalate.typology}`));
    await page.getByTestId('finance-queue').waitFor();
    const kinds = await page.locator('[data-testid="finance-queue"] tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.typology));
    assert.ok(kinds.length > 0 && kinds.every((k) => k === toEscalate.typology), kinds.join());
    await shot('queue');
    await expectNoAxeViolations('the review queue', '#finance', '[data-testid="finance-queue"]');
  });

  test('an item shows its explanation, transactions and network; a node expands', async () => {
    await page.goto(`${server.url}/#finance/${toEscalate.id}`);
    const explanation = page.getByTestId('explanation');
    await explanation.waitFor();
    assert.ok((await explanation.textContent()).includes(toEscalate.explanation.slice(0, 40)));
    assert.ok((await page.getByTestId('rule').locator('tbody tr').count()) > 0, 'the rule and its thresholds');
    assert.ok((await page.getByTestId('transactions').locator('tbody tr').count()) > 0);
    const graph = page.getByTestId('network-graph');
    await graph.waitFor();
    const subject = graph.locator(`[data-account="${toEscalate.subject}"]`);
    assert.equal(await subject.count(), 1, 'the subject is a node');
    const others = graph.locator('.fn-node:not(.is-expanded)');
    const before = await graph.locator('.fn-node').count();
    assert.ok((await others.count()) > 0, 'the subject has counterparties');
    const edgesBefore = await page.getByTestId('network-edges').locator('tbody tr').count();
    assert.ok(edgesBefore > 0, 'the edge table is the text alternative');
    // Keyboard: focus a counterparty and press Enter; its neighbourhood joins the graph.
    const target = await others.first().getAttribute('data-account');
    await graph.locator(`[data-account="${target}"]`).focus();
    await page.keyboard.press('Enter');
    await page.locator(`[data-testid="network-graph"] .fn-node.is-expanded[data-account="${target}"]`).waitFor();
    assert.ok((await graph.locator('.fn-node').count()) >= before);
    assert.ok((await page.getByTestId('network-edges').locator('tbody tr').count()) >= edgesBefore);
    await shot('item');
    await expectNoAxeViolations('an item page', `#finance/${toEscalate.id}`, '[data-testid="network-graph"]');
  });

  test('an item is dismissed only with a reason', async () => {
    await page.goto(`${server.url}/#finance/${toDismiss.id}`);
    await page.getByTestId('decision').waitFor();
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.locator('#fn-reason-error').waitFor();
    await page.getByLabel('Reason for dismissal').fill(REASON);
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.locator('.fn-reason-text').waitFor();
    assert.equal(await page.locator('.fn-reason-text').textContent(), REASON);
    const r = await call('GET', `/api/v1/finance/items/${toDismiss.id}`);
    assert.equal(r.body.status, 'dismissed');
    assert.equal(r.body.reason, REASON);
  });

  test('an item is escalated and its goAML STR downloaded', async () => {
    await page.goto(`${server.url}/#finance/${toEscalate.id}`);
    await page.getByRole('button', { name: 'Escalate to an STR' }).click();
    const link = page.locator('#fn-str');
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const xml = readFileSync(await download.path(), 'utf8');
    assert.match(xml, /^<\?xml/);
    assert.match(xml, /<report>/);
    assert.match(xml, /<report_code>STR<\/report_code>/);
    assert.ok(xml.includes(`<account>${toEscalate.subject}</account>`), 'the STR names the subject');
    const r = await call('GET', `/api/v1/finance/items/${toEscalate.id}`);
    assert.equal(r.body.status, 'escalated');
    await shot('escalated');
  });

  test('the risk ranking shows scored accounts and parties and leads to an item', async () => {
    await page.goto(`${server.url}/#finance`);
    await page.getByTestId('finance-queue').waitFor();
    await page.getByRole('link', { name: 'Risk ranking' }).click();
    await page.waitForURL(/#finance\/risk$/);
    const accounts = page.getByTestId('risk-accounts');
    await accounts.waitFor();
    const first = accounts.locator('tbody tr').first();
    const score = Number(await first.locator('.fn-score-value').getAttribute('data-score'));
    assert.ok(score > 0, `the top account has a score (${score})`);
    assert.ok((await first.locator('.fn-reason').count()) > 0, 'its reasons are shown as chips');
    assert.ok((await first.locator('svg.fn-bar[aria-label]').count()) === 1, 'the bar has a text equivalent');
    assert.ok((await page.getByTestId('risk-parties').locator('tbody tr').count()) > 0, 'a parties table');
    // The limit is kept in the address.
    await page.getByLabel('Rows per list').selectOption('25');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/#finance\/risk\?limit=25$/);
    await accounts.waitFor();
    assert.ok((await accounts.locator('tbody tr').count()) <= 25);
    // An account leads to its review item, where its network is drawn.
    const row = accounts.locator('tbody tr:has([data-testid="risk-item-link"])').first();
    const account = await row.getAttribute('data-account');
    const href = await row.getByTestId('risk-item-link').getAttribute('href');
    await row.getByTestId('risk-item-link').click();
    await page.waitForURL((u) => u.hash === href);
    await page.getByTestId('network-graph').locator(`[data-account="${account}"]`).waitFor();
    const item = await call('GET', `/api/v1/finance/items/${href.slice('#finance/'.length)}`);
    assert.equal(item.body.subject, account, 'the link opens the item whose subject is the account');
    await shot('risk');
    await expectNoAxeViolations('the risk ranking', '#finance/risk', '[data-testid="risk-accounts"]');
    // Arabic: right to left, translated.
    await page.goto(`${server.url}/#finance/risk`);
    await accounts.waitFor();
    await page.getByTestId('language').first().selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.getByRole('heading', { name: 'ترتيب الخطورة' }).waitFor();
    await shot('risk-ar');
    await expectNoAxeViolations('the risk ranking in Arabic', '#finance/risk', '[data-testid="risk-accounts"]', 'ar');
    await page.getByTestId('language').first().selectOption('en');
    await page.waitForFunction(() => document.documentElement.dir === 'ltr');
  });

  test('the item reads right to left in Arabic', async () => {
    await page.goto(`${server.url}/#finance/${toEscalate.id}`);
    await page.getByTestId('explanation').waitFor();
    await page.getByTestId('language').first().selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.getByRole('heading', { name: 'القرار' }).waitFor();
    await shot('item-ar');
    await expectNoAxeViolations('an item page in Arabic', `#finance/${toEscalate.id}`, '[data-testid="network-graph"]', 'ar');
  });

  test('nothing left 127.0.0.1 and the page logged no error', () => {
    assert.deepEqual(log.offOrigin, [], 'requests to other hosts');
    assert.deepEqual(axeLog.offOrigin, [], 'requests to other hosts (axe-core context)');
    assert.deepEqual(log.consoleErrors, [], 'console errors (including CSP violations)');
    assert.deepEqual(log.pageErrors, [], 'uncaught page errors');
  });
});
