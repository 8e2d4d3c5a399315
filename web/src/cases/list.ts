// The case list: filters, exact search on blind-indexed identifiers, paging by id.
import { h } from '../dom';
import { t } from '../i18n';
import { Page, type Host, type Route } from '../page';
import { alertBox } from '../views/common';
import { casesApi, type Case } from './api';
import { codeLabel, countryName, countryOptions, flagCodes, listFormat, loadCountries, statusLabel, STATUSES } from './ref';
import { canWrite, personName, statusChip, nonPunishmentChip } from './shared';
import { loading, select } from './ui';

const PAGE_SIZE = 25;

interface Filters {
  status: string;
  citizenship: string;
  exploitation: string;
  by: 'name' | 'document_number';
  q: string;
  before: string;
}

export class CaseListPage extends Page {
  readonly section = 'cases';
  private filters: Filters;
  /** The form as typed, applied on submit. */
  private draft: Filters;
  private cases: Case[] | null = null;
  private more = false;
  private error: string | null = null;
  private seq = 0;

  constructor(host: Host, route: Route) {
    super(host);
    this.filters = CaseListPage.fromRoute(route);
    this.draft = { ...this.filters };
    this.render();
    void loadCountries().then(
      () => this.render(),
      () => {},
    );
    void this.load();
  }

  private static fromRoute(r: Route): Filters {
    const q = r.query;
    const by = q.get('document_number') !== null ? 'document_number' : 'name';
    return {
      status: q.get('status') ?? '',
      citizenship: q.get('citizenship') ?? '',
      exploitation: q.get('exploitation') ?? '',
      by,
      q: q.get(by) ?? '',
      before: q.get('before') ?? '',
    };
  }

  /** Analysts read pseudonymous profiles: no names, no name search. */
  private get analyst(): boolean {
    return this.host.user.role === 'analyst';
  }

  override update(r: Route): boolean {
    if (r.path.length !== 1) return false;
    this.filters = CaseListPage.fromRoute(r);
    this.draft = { ...this.filters };
    this.cases = null;
    this.render();
    void this.load();
    return true;
  }

  title(): string {
    return t('cases.title');
  }

  private hashFor(f: Filters): string {
    const q = new URLSearchParams();
    if (f.status) q.set('status', f.status);
    if (f.citizenship) q.set('citizenship', f.citizenship);
    if (f.exploitation) q.set('exploitation', f.exploitation);
    if (f.q.trim() && !this.analyst) q.set(f.by, f.q.trim());
    if (f.before) q.set('before', f.before);
    const s = q.toString();
    return `#cases${s ? `?${s}` : ''}`;
  }

  private async load(): Promise<void> {
    const seq = ++this.seq;
    this.error = null;
    const f = this.filters;
    try {
      const r = await casesApi.list({
        status: f.status || undefined,
        citizenship: f.citizenship || undefined,
        exploitation: f.exploitation || undefined,
        name: f.by === 'name' && f.q.trim() ? f.q.trim() : undefined,
        document_number: f.by === 'document_number' && f.q.trim() ? f.q.trim() : undefined,
        before: f.before ? Number(f.before) : undefined,
        limit: PAGE_SIZE + 1,
      });
      if (seq !== this.seq) return;
      const list = r.cases ?? [];
      this.more = list.length > PAGE_SIZE;
      this.cases = list.slice(0, PAGE_SIZE);
    } catch (err) {
      if (seq !== this.seq) return;
      this.error = this.host.fail(err);
      this.cases = [];
    }
    this.render();
  }

  protected view(): (Node | null)[] {
    const user = this.host.user;
    return [
      h(
        'div',
        { class: 'page-head page-head-row' },
        h(
          'div',
          null,
          h('h1', { class: 'page-title', tabindex: '-1' }, t('cases.title')),
          h(
            'p',
            { class: 'muted' },
            this.analyst
              ? t('cases.list.pseudonymous')
              : this.host.user.role === 'law_enforcement'
                ? t('cases.list.enforcement')
                : t('cases.list.subtitle'),
          ),
        ),
        canWrite(user) ? h('a', { class: 'btn btn-primary', href: '#cases/new' }, t('cases.new')) : null,
      ),
      this.filterForm(),
      alertBox(this.error, 'cases-error'),
      this.table(),
    ];
  }

  private filterForm(): HTMLElement {
    const f = this.draft;
    const statusSel = select(
      STATUSES.map((s) => ({ value: s, label: statusLabel(s) })),
      f.status,
      (v) => (f.status = v),
      t('cases.filter.any_status'),
    );
    statusSel.id = 'filter-status';
    const citizenshipSel = select(countryOptions(), f.citizenship, (v) => (f.citizenship = v), t('cases.filter.any_country'));
    citizenshipSel.id = 'filter-citizenship';
    if (f.citizenship && !citizenshipSel.value) {
      citizenshipSel.append(h('option', { value: f.citizenship, selected: true }, f.citizenship));
    }
    const exploitationSel = select(
      flagCodes('exploitation').map((c) => ({ value: c, label: codeLabel('exploitation', c) })),
      f.exploitation,
      (v) => (f.exploitation = v),
      t('cases.filter.any_exploitation'),
    );
    exploitationSel.id = 'filter-exploitation';

    const form = h(
      'form',
      { class: 'filters panel-box', role: 'search', 'aria-label': t('cases.filter.label') },
      h(
        'div',
        { class: 'filter-row' },
        h('div', { class: 'field' }, h('label', { for: 'filter-status' }, t('cases.field.status')), statusSel),
        h('div', { class: 'field' }, h('label', { for: 'filter-citizenship' }, t('cases.field.citizenship')), citizenshipSel),
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'filter-exploitation' }, t('cases.field.exploitation')),
          exploitationSel,
        ),
      ),
      this.analyst ? null : this.searchRow(f),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'btn btn-primary' }, t('cases.filter.apply')),
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-secondary',
            onclick: () => this.host.navigate('#cases'),
          },
          t('cases.filter.clear'),
        ),
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.host.navigate(this.hashFor({ ...f, before: '' }));
    });
    return form;
  }

  private searchRow(f: Filters): HTMLElement {
    const by = select(
      [
        { value: 'name', label: t('cases.search.by_name') },
        { value: 'document_number', label: t('cases.search.by_document') },
      ],
      f.by,
      (v) => (f.by = v as Filters['by']),
    );
    by.id = 'search-by';
    const input = h('input', { type: 'search', id: 'search-q', value: f.q, 'aria-describedby': 'search-hint', autocomplete: 'off' });
    input.addEventListener('input', () => (f.q = input.value));
    return h(
      'div',
      { class: 'filter-row search-row' },
      h('div', { class: 'field' }, h('label', { for: 'search-by' }, t('cases.search.by')), by),
      h(
        'div',
        { class: 'field field-grow' },
        h('label', { for: 'search-q' }, t('cases.search.label')),
        input,
        h('p', { id: 'search-hint', class: 'hint' }, t('cases.search.exact_hint')),
      ),
    );
  }

  private table(): HTMLElement {
    if (!this.cases) return loading();
    if (this.cases.length === 0) {
      return h('p', { class: 'empty-state' }, this.error ? '' : t('cases.list.empty'));
    }
    const full = !this.analyst;
    const rows = this.cases.map((c) =>
      h(
        'tr',
        { 'data-case': c.reference },
        h('th', { scope: 'row', class: 'nowrap' }, h('a', { href: `#cases/${c.id}` }, c.reference)),
        full ? h('td', null, personName(c) || h('span', { class: 'muted' }, '—')) : null,
        h('td', null, statusChip(c.status)),
        h('td', null, countryName(c.profile.citizenship)),
        h('td', null, listFormat((c.profile.exploitation ?? []).map((e) => codeLabel('exploitation', e))) || '—'),
        h('td', null, c.non_punishment ? nonPunishmentChip(true, true) : h('span', { class: 'muted', 'aria-label': t('cases.np.off_short') }, '—')),
        full ? h('td', null, c.assigned_username ?? '—') : null,
      ),
    );
    const f = this.filters;
    const last = this.cases[this.cases.length - 1];
    return h(
      'div',
      { class: 'list-block' },
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table table-list' },
          h('caption', { class: 'visually-hidden' }, t('cases.title')),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, t('cases.field.reference')),
              full ? h('th', { scope: 'col' }, t('cases.field.name')) : null,
              h('th', { scope: 'col' }, t('cases.field.status')),
              h('th', { scope: 'col' }, t('cases.field.citizenship')),
              h('th', { scope: 'col' }, t('cases.field.exploitation')),
              h('th', { scope: 'col' }, t('cases.field.non_punishment')),
              full ? h('th', { scope: 'col' }, t('cases.field.caseworker')) : null,
            ),
          ),
          h('tbody', null, rows),
        ),
      ),
      h(
        'nav',
        { class: 'pager', 'aria-label': t('cases.list.pages') },
        f.before ? h('a', { class: 'btn btn-secondary', href: this.hashFor({ ...f, before: '' }) }, t('cases.list.newest')) : null,
        this.more
          ? h('a', { class: 'btn btn-secondary', href: this.hashFor({ ...f, before: String(last.id) }) }, t('cases.list.older'))
          : null,
      ),
    );
  }
}
