// The report queue of a recipient: what came in, with a status filter.
import { h } from '../dom';
import { formatNumber, t } from '../i18n';
import { Page, type Host, type Route } from '../page';
import { alertBox } from '../views/common';
import { QUEUE_STATUSES, label, regionName, reportsApi, reportsError, type QueueItem } from './api';
import { dayEl, pageHead, statusChip, subNav } from './shared';
import { currentLocale } from '../i18n';

export class QueuePage extends Page {
  readonly section = 'reports';
  private status: string;
  private items: QueueItem[] | null = null;
  private error: string | null = null;
  private seq = 0;

  constructor(host: Host, route: Route) {
    super(host);
    this.status = route.query.get('status') ?? '';
    this.render();
    void this.load();
  }

  title(): string {
    return t('reports.title');
  }

  override update(r: Route): boolean {
    if (r.path.length !== 1) return false;
    this.status = r.query.get('status') ?? '';
    this.items = null;
    this.render();
    void this.load();
    return true;
  }

  private async load(): Promise<void> {
    const seq = ++this.seq;
    this.error = null;
    try {
      const r = await reportsApi.queue(this.status || undefined);
      if (seq !== this.seq) return;
      this.items = r.reports ?? [];
    } catch (err) {
      if (seq !== this.seq) return;
      this.error = reportsError(err, (e) => this.host.fail(e));
      this.items = [];
    }
    this.render();
  }

  private filter(): HTMLElement {
    const select = h(
      'select',
      { id: 'rp-status-filter', name: 'status' },
      h('option', { value: '' }, t('reports.status.all')),
      QUEUE_STATUSES.map((s) => h('option', { value: s, selected: s === this.status }, label('status', s))),
    );
    return h(
      'form',
      {
        class: 'rp-filter',
        onsubmit: (e: Event) => {
          e.preventDefault();
          this.host.navigate(select.value ? `#reports?status=${select.value}` : '#reports');
        },
      },
      h('div', { class: 'field' }, h('label', { for: 'rp-status-filter' }, t('reports.status.label')), select),
      h('button', { type: 'submit', class: 'btn btn-secondary' }, t('reports.filter')),
    );
  }

  private table(items: QueueItem[]): HTMLElement {
    const locale = currentLocale();
    return h(
      'div',
      { class: 'rp-table-wrap' },
      h(
        'table',
        { class: 'rp-table', 'data-testid': 'report-queue' },
        h('caption', { class: 'visually-hidden' }, t('reports.queue')),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ['report', 'status', 'day', 'channel', 'work_type', 'country', 'signs', 'unread'].map((c) =>
              h('th', { scope: 'col' }, t(`reports.col.${c}`)),
            ),
          ),
        ),
        h(
          'tbody',
          null,
          items.map((r) =>
            h(
              'tr',
              { 'data-report': r.report_id },
              h('td', null, h('a', { href: `#reports/${r.report_id}` }, t('reports.number', { id: r.report_id }))),
              h('td', null, statusChip(r.status)),
              h('td', null, dayEl(r.day)),
              h('td', null, label('channel', r.channel)),
              h('td', null, label('work', r.work_type)),
              h('td', null, regionName(r.place_country, locale)),
              h('td', { class: 'num' }, formatNumber(r.signs)),
              h(
                'td',
                { class: 'num' },
                r.unread_from_reporter
                  ? h('span', { class: 'chip rp-unread' }, formatNumber(r.unread_from_reporter))
                  : '0',
              ),
            ),
          ),
        ),
      ),
    );
  }

  protected view(): (Node | null)[] {
    const items = this.items;
    return [
      pageHead(t('reports.title')),
      subNav('queue', this.host.user.role === 'coordinator'),
      this.filter(),
      alertBox(this.error, 'reports-error'),
      items === null
        ? h('p', { class: 'muted loading', role: 'status' }, t('app.loading'))
        : items.length === 0
          ? this.error
            ? null
            : h('p', { class: 'muted' }, t('reports.empty'))
          : this.table(items),
    ];
  }
}
