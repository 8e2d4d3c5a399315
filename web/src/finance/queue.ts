// The review queue of the finance desk: hits of the scans, highest subject risk first, with
// status and typology filters, status chips and paging.
import { h } from '../dom';
import { currentLocale, formatNumber, t } from '../i18n';
import { Page, type Host, type Route } from '../page';
import { alertBox } from '../views/common';
import { STATUSES, TYPOLOGIES, financeApi, money, typologyName, when, type ItemPage } from './api';
import { pageHead, statusChip, subNav } from './shared';

const LIMIT = 25;

export class QueuePage extends Page {
  readonly section = 'finance';
  private status = '';
  private typology = '';
  private offset = 0;
  private data: ItemPage | null = null;
  private error: string | null = null;
  private seq = 0;

  constructor(host: Host, route: Route) {
    super(host);
    this.read(route);
    this.render();
    void this.load();
  }

  title(): string {
    return t('finance.title');
  }

  private read(route: Route): void {
    this.status = route.query.get('status') ?? '';
    this.typology = route.query.get('typology') ?? '';
    this.offset = Math.max(0, Number(route.query.get('offset') ?? '0') || 0);
  }

  override update(r: Route): boolean {
    if (r.path.length !== 1) return false;
    this.read(r);
    this.data = null;
    this.render();
    void this.load();
    return true;
  }

  private async load(): Promise<void> {
    const seq = ++this.seq;
    this.error = null;
    try {
      const page = await financeApi.items({ status: this.status, typology: this.typology, offset: this.offset, limit: LIMIT });
      if (seq !== this.seq) return;
      this.data = page;
    } catch (err) {
      if (seq !== this.seq) return;
      this.error = this.host.fail(err);
      this.data = { items: [], total: 0, offset: 0, limit: LIMIT };
    }
    this.render();
  }

  private hash(status: string, typology: string, offset: number): string {
    const q = new URLSearchParams();
    if (status) q.set('status', status);
    if (typology) q.set('typology', typology);
    if (offset) q.set('offset', String(offset));
    const s = q.toString();
    return s ? `#finance?${s}` : '#finance';
  }

  private filters(): HTMLElement {
    const status = h(
      'select',
      { id: 'fn-status-filter', name: 'status' },
      h('option', { value: '' }, t('finance.status.all')),
      STATUSES.map((s) => h('option', { value: s, selected: s === this.status }, t(`finance.status.${s}`))),
    );
    const typology = h(
      'select',
      { id: 'fn-typology-filter', name: 'typology' },
      h('option', { value: '' }, t('finance.typology.all')),
      TYPOLOGIES.map((c) => h('option', { value: c, selected: c === this.typology }, typologyName(c))),
    );
    return h(
      'form',
      {
        class: 'fn-filter',
        'aria-label': t('finance.filter'),
        onsubmit: (e: Event) => {
          e.preventDefault();
          this.host.navigate(this.hash(status.value, typology.value, 0));
        },
      },
      h('div', { class: 'field' }, h('label', { for: 'fn-status-filter' }, t('finance.status.label')), status),
      h('div', { class: 'field' }, h('label', { for: 'fn-typology-filter' }, t('finance.typology.label')), typology),
      h('button', { type: 'submit', class: 'btn btn-secondary' }, t('finance.filter')),
    );
  }

  private table(page: ItemPage): HTMLElement {
    const locale = currentLocale();
    return h(
      'div',
      { class: 'fn-table-wrap' },
      h(
        'table',
        { class: 'fn-table', 'data-testid': 'finance-queue' },
        h('caption', { class: 'visually-hidden' }, t('finance.queue')),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ['item', 'typology', 'subject', 'score', 'status', 'transactions', 'total', 'last'].map((c) =>
              h('th', { scope: 'col' }, t(`finance.col.${c}`)),
            ),
          ),
        ),
        h(
          'tbody',
          null,
          page.items.map((it) =>
            h(
              'tr',
              { 'data-item': it.id, 'data-typology': it.typology },
              h('td', null, h('a', { href: `#finance/${it.id}` }, t('finance.number', { id: it.id }))),
              h('td', null, typologyName(it.typology)),
              h('td', null, h('span', { dir: 'ltr' }, it.subject), it.party ? h('span', { class: 'muted fn-party' }, it.party) : null),
              h('td', { class: 'num' }, formatNumber(it.subject_score)),
              h('td', null, statusChip(it.status)),
              h('td', { class: 'num' }, formatNumber(it.transaction_count)),
              h('td', { class: 'num' }, money(it.total_minor, '', locale)),
              h('td', null, when(it.last_time, locale)),
            ),
          ),
        ),
      ),
    );
  }

  private pager(page: ItemPage): HTMLElement | null {
    if (page.total <= LIMIT) return null;
    const prev = Math.max(0, this.offset - LIMIT);
    const next = this.offset + LIMIT;
    return h(
      'nav',
      { class: 'fn-pager', 'aria-label': t('finance.pages') },
      this.offset > 0 ? h('a', { href: this.hash(this.status, this.typology, prev), class: 'btn btn-secondary' }, t('finance.previous')) : null,
      h(
        'span',
        { class: 'muted' },
        t('finance.range', {
          from: formatNumber(this.offset + 1),
          to: formatNumber(Math.min(next, page.total)),
          total: formatNumber(page.total),
        }),
      ),
      next < page.total ? h('a', { href: this.hash(this.status, this.typology, next), class: 'btn btn-secondary' }, t('finance.next')) : null,
    );
  }

  protected view(): (Node | null)[] {
    const page = this.data;
    return [
      pageHead(t('finance.title')),
      subNav('queue'),
      h('p', { class: 'muted' }, t('finance.queue.intro')),
      this.filters(),
      alertBox(this.error, 'finance-error'),
      page === null
        ? h('p', { class: 'muted loading', role: 'status' }, t('app.loading'))
        : page.items.length === 0
          ? this.error
            ? null
            : h('p', { class: 'muted' }, t('finance.empty'))
          : this.table(page),
      page ? this.pager(page) : null,
    ];
  }
}
