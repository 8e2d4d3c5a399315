import type { DashboardCard, Reminder, User } from '../api';
import { h } from '../dom';
import { currentLocale, formatDateTime, formatNumber, has, t, type Locale } from '../i18n';
import { alertBox, brand, languageSwitch } from './common';

export interface ShellState {
  user: User;
  cards: DashboardCard[] | null;
  loadedAt: Date | null;
  dashboardError: string | null;
  shellError: string | null;
  busy: boolean;
  /** Procedures due soon; null while loading (or not for this role). */
  reminders: Reminder[] | null;
  remindersError: string | null;
  /** The session may open reports (GET /api/v1/auth/session: report_recipient). */
  reportRecipient: boolean;
}

export interface ShellActions {
  language(code: Locale): void;
  signOut(): void;
  reload(): void;
}

const MODULES = ['cases', 'reports', 'routes', 'finance', 'linkage', 'exchange', 'alerts', 'awareness'];

/** Modules that exist, and the roles that may open them. */
const LIVE: Record<string, readonly string[]> = {
  cases: ['coordinator', 'caseworker', 'analyst', 'law_enforcement'],
  reports: ['coordinator', 'caseworker'],
  routes: ['admin', 'coordinator', 'caseworker', 'analyst', 'fiu_analyst', 'partner', 'law_enforcement'],
  finance: ['fiu_analyst'],
  linkage: ['admin', 'coordinator', 'caseworker', 'analyst', 'partner', 'law_enforcement'],
};

/** Reports open for recipients, and for coordinators, who choose the recipients. */
export function canOpen(module: string, role: string, reportRecipient = false): boolean {
  if (module === 'reports' && !(reportRecipient || role === 'coordinator')) return false;
  return LIVE[module]?.includes(role) ?? false;
}

export function hasReminders(role: string): boolean {
  return role === 'coordinator' || role === 'caseworker';
}

function day(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime())
    ? iso
    : new Intl.DateTimeFormat(currentLocale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

/** "Due soon": open procedures due within 14 days or overdue, each linking to its case. */
function dueSoon(state: ShellState): HTMLElement | null {
  if (!hasReminders(state.user.role)) return null;
  const list = state.reminders;
  let body: Node;
  if (state.remindersError) body = alertBox(state.remindersError, 'reminders-error');
  else if (!list) body = h('p', { class: 'muted loading', role: 'status' }, t('app.loading'));
  else if (!list.length) body = h('p', { class: 'muted' }, t('dashboard.due.empty'));
  else
    body = h(
      'ul',
      { class: 'due-list' },
      list.map((r) =>
        h(
          'li',
          { class: `due-item${r.overdue ? ' is-overdue' : ''}`, 'data-reminder': r.procedure_id },
          h('a', { href: `#cases/${r.case_id}/assistance` }, r.reference),
          h('span', null, `${t(`assist.proc.kind.${r.kind}`)} · ${t(`assist.proc.status.${r.status}`)}`),
          h('time', { datetime: r.due_date }, day(r.due_date)),
          r.overdue ? h('span', { class: 'chip chip-overdue' }, t('assist.proc.overdue')) : null,
        ),
      ),
    );
  return h(
    'section',
    { class: 'panel due-panel', 'aria-labelledby': 'due-h', 'data-testid': 'due-soon' },
    h('h2', { id: 'due-h', class: 'section-title' }, t('dashboard.due.title')),
    body,
  );
}

export function roleName(role: string): string {
  const key = `roles.${role}`;
  return has(key) ? t(key) : role;
}

export function cardTitle(card: DashboardCard): string {
  return card.title_key && has(card.title_key) ? t(card.title_key) : card.id;
}

export function cardValue(value: DashboardCard['value']): string {
  if (typeof value === 'number') return formatNumber(value);
  if (value === null || value === undefined) return '—';
  return String(value);
}

function header(state: ShellState, actions: ShellActions): HTMLElement {
  const { user } = state;
  const org = user.organisation?.name;
  return h(
    'header',
    { class: 'topbar' },
    brand(),
    h(
      'div',
      { class: 'topbar-tools' },
      languageSwitch(actions.language, 'lang-switch-header'),
      h(
        'div',
        { class: 'user', 'aria-label': t('header.signed_in_as') },
        h('span', { class: 'visually-hidden' }, `${t('header.signed_in_as')} `),
        h('span', { class: 'user-name', 'data-testid': 'user-name' }, user.display_name || user.username),
        h(
          'span',
          { class: 'user-meta' },
          h('span', { class: 'user-role', 'data-testid': 'user-role' }, roleName(user.role)),
          org ? h('span', { class: 'user-org' }, org) : null,
        ),
      ),
      h(
        'button',
        { type: 'button', class: 'btn btn-ghost', disabled: state.busy, onclick: () => actions.signOut() },
        t('header.sign_out'),
      ),
    ),
  );
}

function navLink(id: string, active: string): HTMLElement {
  const current = id === active;
  return h(
    'li',
    null,
    h(
      'a',
      { class: `nav-item${current ? ' is-active' : ''}`, href: `#${id}`, 'aria-current': current ? 'page' : null },
      t(`nav.${id}`),
    ),
  );
}

function nav(user: User, active: string, reportRecipient: boolean): HTMLElement {
  return h(
    'nav',
    { class: 'sidenav', 'aria-label': t('nav.label') },
    h(
      'ul',
      null,
      navLink('dashboard', active),
      MODULES.map((m) =>
        canOpen(m, user.role, reportRecipient)
          ? navLink(m, active)
          : h(
              'li',
              null,
              h(
                'span',
                { class: 'nav-item is-disabled', 'aria-disabled': 'true' },
                h('span', null, t(`nav.${m}`)),
                h('span', { class: 'badge' }, t(LIVE[m] ? 'nav.not_for_role' : 'nav.coming_soon')),
              ),
            ),
      ),
    ),
  );
}

function cards(state: ShellState, actions: ShellActions): HTMLElement {
  if (state.dashboardError) {
    return h(
      'div',
      { class: 'panel' },
      alertBox(state.dashboardError, 'dashboard-error'),
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => actions.reload() }, t('dashboard.retry')),
    );
  }
  if (!state.cards) {
    return h('p', { class: 'muted loading', role: 'status' }, t('dashboard.loading'));
  }
  if (state.cards.length === 0) {
    return h('p', { class: 'muted' }, t('dashboard.empty'));
  }
  return h(
    'ul',
    { class: 'cards', 'aria-label': t('dashboard.cards_label') },
    state.cards.map((card) =>
      h(
        'li',
        { class: 'card', 'data-card': card.id },
        h('span', { class: 'card-title' }, cardTitle(card)),
        h('span', { class: 'card-value' }, cardValue(card.value)),
      ),
    ),
  );
}

/** The shell around a page: header, navigation, and `page` (else the dashboard) in <main>. */
export function shellView(
  state: ShellState,
  actions: ShellActions,
  page?: { section: string; el: HTMLElement },
): HTMLElement[] {
  return [
    h('a', { class: 'skip-link', href: '#main' }, t('app.skip_to_content')),
    header(state, actions),
    h(
      'div',
      { class: 'layout' },
      nav(state.user, page?.section ?? 'dashboard', state.reportRecipient),
      h(
        'main',
        { id: 'main', class: 'content', tabindex: '-1' },
        alertBox(state.shellError, 'shell-error'),
        page ? page.el : dashboard(state, actions),
      ),
    ),
  ];
}

function dashboard(state: ShellState, actions: ShellActions): HTMLElement {
  const name = state.user.display_name || state.user.username;
  return h(
    'div',
    { class: 'page' },
    h(
      'div',
      { class: 'page-head' },
      h('h1', { class: 'page-title', tabindex: '-1' }, t('dashboard.title')),
      h('p', { class: 'muted' }, t('dashboard.welcome', { name })),
    ),
    cards(state, actions),
    dueSoon(state),
    state.loadedAt && state.cards
      ? h(
          'p',
          { class: 'muted small' },
          t('dashboard.updated', { time: formatDateTime(state.loadedAt) }),
        )
      : null,
  );
}
