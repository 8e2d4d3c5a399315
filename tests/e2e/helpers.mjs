// Shared by the end-to-end tests: start the real server (`$CTIS_BIN demo`) on loopback, drive
// Debian's Chromium through playwright-core, and record every request and console error so a
// test can assert that nothing left 127.0.0.1 and nothing went wrong in the page.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CTIS_CHROMIUM || '/usr/bin/chromium';
// A debug build with AddressSanitizer creates the demo in ~15 s alone, far longer beside other tests.
export const START_TIMEOUT_MS = 150_000;
export const VIEWPORT = { width: 1280, height: 800 };
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts `$CTIS_BIN demo --data <dataDir>` and resolves once it printed the admin password and
 * its address: { child, url, password, dataDir, output() }.
 */
export function startServer(bin, dataDir) {
  const child = spawn(bin, ['demo', '--data', dataDir, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk) => {
    out += chunk;
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  // Last resort if the runner is interrupted: never leave the server running.
  process.once('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    let password;
    let url;
    const fail = (why) => {
      clearTimeout(timer);
      // A server that is late must not outlive the failed start: nothing would stop it.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      reject(new Error(`${why}\n--- server output ---\n${out}`));
    };
    const timer = setTimeout(
      () => fail(`server did not print its password and address within ${START_TIMEOUT_MS / 1000} s`),
      START_TIMEOUT_MS,
    );
    // The lines are expected on stdout; stderr is read too in case a logger writes there.
    // Both streams are drained for the server's whole life so it never blocks on a full pipe.
    const onData = (chunk) => {
      keep(chunk);
      if (password && url) return;
      password ??= /admin password:\s*(\S+)/.exec(out)?.[1];
      url ??= /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (password && url) {
        clearTimeout(timer);
        resolve({ child, url, password, dataDir, output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => fail(`could not start ${bin}: ${err.message}`));
    child.once('exit', (code, signal) => {
      if (!(password && url)) fail(`server exited (${code ?? signal}) before it was ready`);
    });
  });
}

export async function stopServer(server) {
  const child = server?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Runs the CLI (`$CTIS_BIN args...`) with `input` on stdin; resolves with its output. */
export function runCli(bin, args, input = '') {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${bin} ${args.join(' ')} exited ${code}:\n${out}`)),
    );
    child.stdin.end(input);
  });
}

export const isAllowedUrl = (u) => {
  if (/^(data|blob|about):/.test(u)) return true;
  try {
    return new URL(u).hostname === '127.0.0.1';
  } catch {
    return false;
  }
};

/**
 * Launches Chromium with a fresh profile in `workDir` and starts recording. `isExpected(msg)`
 * names console errors that are part of the design (a 401 from the session probe, say).
 * Returns { context, page, log } where log holds requests, offOrigin, consoleErrors,
 * pageErrors and failedRequests.
 */
export async function launchBrowser(workDir, isExpected = () => false) {
  const log = { requests: [], offOrigin: [], consoleErrors: [], pageErrors: [], failedRequests: [] };
  const context = await chromium.launchPersistentContext(join(workDir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: VIEWPORT,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(15_000);
  // Report CSP violations to the console too (Chromium also logs "Refused to ...").
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`),
    );
  });
  context.on('request', (req) => {
    log.requests.push(req.url());
    if (!isAllowedUrl(req.url())) log.offOrigin.push(req.url());
  });
  context.on('requestfailed', (req) => log.failedRequests.push(`${req.url()}: ${req.failure()?.errorText}`));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !isExpected(msg))
      log.consoleErrors.push(`${msg.text()} (${msg.location()?.url ?? ''})`);
  });
  page.on('pageerror', (err) => log.pageErrors.push(String(err)));
  return { context, page, log };
}

// The session probe on load and a rejected sign-in answer 401 by design; Chromium logs those
// as "Failed to load resource".
export const isExpected401 = (msg) =>
  /status of 401/.test(msg.text()) && /\/api\/v1\/auth\/(session|login)$/.test(msg.location()?.url ?? '');

/** Sets a demo user's password through the real CLI (the demo gives its users random ones). */
/** Signs in through the sign-in page of the app at `url` (Enter in the password field). */
export async function signIn(page, url, username, password) {
  await page.goto(url + '/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Password').press('Enter');
}

export const setPassword = (bin, dataDir, username, password) =>
  runCli(bin, ['user', 'passwd', username, '--password-stdin', '--data', dataDir], `${password}\n`);

/**
 * Signs in through the API, outside the browser, to prepare or check data as another user.
 * Resolves with call(method, path, body?) that sends the session cookie and the CSRF token and
 * resolves with { status, body }.
 */
export async function apiSession(url, username, password) {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (login.status !== 200) throw new Error(`${username} could not sign in: ${login.status} ${await login.text()}`);
  const { csrf_token: csrf } = await login.json();
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const call = async (method, path, body) => {
    const headers = { Accept: 'application/json', Cookie: cookie };
    if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(`${url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: r.status, body: parsed };
  };
  return call;
}

/** Every case the session may see, following the `before` pages. */
export async function allCases(call, query = '') {
  const out = [];
  let before = '';
  for (;;) {
    const r = await call('GET', `/api/v1/cases?limit=200${query}${before}`);
    if (r.status !== 200) throw new Error(`GET /api/v1/cases: ${r.status} ${JSON.stringify(r.body)}`);
    out.push(...r.body.cases);
    if (r.body.cases.length < 200) return out;
    before = `&before=${r.body.cases[r.body.cases.length - 1].id}`;
  }
}
