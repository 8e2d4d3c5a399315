import './styles.css';
import { ApiError, api, setCsrfToken, type Session, type User } from './api';
import { errorMessage } from './errors';
import { detectLocale, setLocale, storedLocale, t, type Locale } from './i18n';
import { parseRoute, type Host, type Page, type Route } from './page';
import { loginView, type LoginState } from './views/login';
import { canOpen, hasReminders, shellView, type ShellState } from './views/shell';

type Focus = 'heading' | 'language' | 'username' | 'password' | 'error' | null;

const root = document.getElementById('app') as HTMLElement;

let login: LoginState = { busy: false, error: null, fieldErrors: {}, notice: null, username: '' };
let shell: ShellState | null = null;
/** The page shown inside the shell; null for the dashboard. */
let page: Page | null = null;
let routeSeq = 0;

function render(focus: Focus = null): void {
  // Keep what the person typed when the view is rebuilt (e.g. on a language switch).
  const typedPassword = (root.querySelector('#login-password') as HTMLInputElement | null)?.value;
  const typedUser = (root.querySelector('#login-username') as HTMLInputElement | null)?.value;
  if (typedUser !== undefined) login.username = typedUser;

  if (shell) {
    document.title = `${page ? page.title() : t('dashboard.title')} – ${t('app.name')}`;
    root.replaceChildren(
      ...shellView(shell, { language: changeLanguage, signOut, reload: loadDashboard }, page ?? undefined),
    );
  } else {
    document.title = `${t('login.title')} – ${t('app.name')}`;
    root.replaceChildren(loginView(login, { submit: signIn, language: changeLanguage }));
    const pw = root.querySelector('#login-password') as HTMLInputElement | null;
    if (pw && typedPassword) pw.value = typedPassword;
  }

  const target: Record<Exclude<Focus, null>, string> = {
    heading: 'h1',
    language: '.lang-select',
    username: '#login-username',
    password: '#login-password',
    error: '.alert:not([hidden])',
  };
  if (focus) (root.querySelector(target[focus]) as HTMLElement | null)?.focus();
}

async function changeLanguage(code: Locale): Promise<void> {
  await setLocale(code);
  page?.render();
  render('language');
}

const host: Host = {
  get user(): User {
    return shell!.user;
  },
  navigate(hash: string) {
    if (location.hash === hash) void route();
    else location.hash = hash;
  },
  fail(err: unknown): string {
    if (err instanceof ApiError && err.status === 401) {
      leaveShell(t('errors.session_expired'));
      return '';
    }
    return errorMessage(err);
  },
  retitle() {
    if (shell && page) document.title = `${page.title()} – ${t('app.name')}`;
  },
};

/** Each module's pages, loaded on demand: './cases/index.ts' serves '#cases…'. */
const modules = import.meta.glob<{ createPage(route: Route, host: Host): Page }>('./*/index.ts');

/** Shows the page the address names: the dashboard, or a module's page (loaded on demand). */
async function route(): Promise<void> {
  if (!shell) return;
  const seq = ++routeSeq;
  const r: Route = parseRoute(location.hash);
  const section = r.path[0] ?? 'dashboard';
  if (page && page.section === section && page.update(r)) {
    host.retitle();
    return;
  }
  let next: Page | null = null;
  const load = modules[`./${section}/index.ts`];
  if (load && canOpen(section, shell.user.role, shell.reportRecipient)) {
    try {
      next = (await load()).createPage(r, host);
    } catch (err) {
      if (seq !== routeSeq || !shell) return;
      shell.shellError = errorMessage(err);
    }
  }
  if (seq !== routeSeq || !shell) {
    next?.dispose();
    return;
  }
  page?.dispose();
  page = next;
  if (!page) void loadDashboard();
  else render();
  (root.querySelector('main h1') as HTMLElement | null)?.focus();
}

function enterShell(user: User, csrf: string, reportRecipient = false): void {
  setCsrfToken(csrf);
  shell = { user, cards: null, loadedAt: null, dashboardError: null, shellError: null, busy: false, reminders: null, remindersError: null, reportRecipient };
  login = { busy: false, error: null, fieldErrors: {}, notice: null, username: '' };
  const r = parseRoute(location.hash);
  if (r.path[0] && r.path[0] !== 'dashboard') {
    void route();
    return;
  }
  render('heading');
  void loadDashboard();
}

function leaveShell(notice: string | null): void {
  setCsrfToken(null);
  page?.dispose();
  page = null;
  shell = null;
  login = { ...login, busy: false, error: null, fieldErrors: {}, notice };
  render('username');
}

async function signIn(username: string, password: string): Promise<void> {
  const fieldErrors: LoginState['fieldErrors'] = {};
  if (!username) fieldErrors.username = t('errors.required');
  if (!password) fieldErrors.password = t('errors.required');
  login = { ...login, username, notice: null, error: null, fieldErrors };
  if (fieldErrors.username || fieldErrors.password) {
    render(fieldErrors.username ? 'username' : 'password');
    return;
  }
  login.busy = true;
  render();
  try {
    const session = await api.login(username, password);
    enterShell(session.user, session.csrf_token, recipientOf(session));
  } catch (err) {
    const field = err instanceof ApiError ? err.field : undefined;
    login = { ...login, busy: false, error: errorMessage(err) };
    if (field === 'username' || field === 'password') login.fieldErrors = { [field]: errorMessage(err) };
    // Clear the password after a rejected attempt and put the cursor back in it.
    root.querySelector<HTMLInputElement>('#login-password')!.value = '';
    render('password');
  }
}

async function loadDashboard(): Promise<void> {
  if (!shell) return;
  shell.dashboardError = null;
  shell.cards = null;
  if (!page) render();
  if (hasReminders(shell.user.role)) void loadReminders();
  try {
    const data = await api.dashboard();
    if (!shell) return;
    shell.cards = Array.isArray(data?.cards) ? data.cards : [];
    shell.loadedAt = new Date();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return leaveShell(t('errors.session_expired'));
    if (!shell) return;
    shell.dashboardError = `${t('dashboard.load_failed')} ${errorMessage(err)}`;
  }
  if (!page) render();
}

/** Procedures due within 14 days (or overdue) on the person's cases, for the dashboard. */
async function loadReminders(): Promise<void> {
  const s = shell;
  if (!s) return;
  s.remindersError = null;
  try {
    const data = await api.reminders(14);
    s.reminders = Array.isArray(data?.reminders) ? data.reminders : [];
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    s.remindersError = errorMessage(err);
  }
  if (shell === s && !page) render();
}

async function signOut(): Promise<void> {
  if (!shell) return;
  shell.busy = true;
  shell.shellError = null;
  render();
  try {
    await api.logout();
  } catch (err) {
    // 401: the session was already gone, which is what signing out wants.
    if (!(err instanceof ApiError && err.status === 401)) {
      if (shell) {
        shell.busy = false;
        shell.shellError = `${t('errors.sign_out_failed')} ${errorMessage(err)}`;
        render('error');
      }
      return;
    }
  }
  // The next person to sign in here starts at the dashboard, not at this person's last page.
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  leaveShell(t('login.signed_out'));
}

async function boot(): Promise<void> {
  const locale = detectLocale(storedLocale(), navigator.languages ?? [navigator.language]);
  const [, result] = await Promise.all([
    setLocale(locale, false),
    api.session().then(
      (session): Session | ApiError => session,
      (err: unknown) => (err instanceof ApiError ? err : new ApiError(0, 'network', String(err))),
    ),
  ]);
  if (result instanceof ApiError || !result?.user) {
    if (result instanceof ApiError && result.status !== 401) login.error = errorMessage(result);
    render('username');
    return;
  }
  const session = result;
  enterShell(session.user, session.csrf_token, recipientOf(session));
}

/** Sign-in and session answers say whether this person receives reports. */
function recipientOf(session: Session): boolean {
  return (session as Session & { report_recipient?: boolean }).report_recipient === true;
}

window.addEventListener('hashchange', () => void route());

void boot();
