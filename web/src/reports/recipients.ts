// Who receives new reports (coordinators choose among their organisation's staff).
import { h } from '../dom';
import { t } from '../i18n';
import { Page, type Host } from '../page';
import { alertBox } from '../views/common';
import { reportsApi, reportsError, type Recipient } from './api';
import { dayEl, pageHead, subNav } from './shared';

type StaffUser = { id: number; username: string; display_name: string; role: string };

export class RecipientsPage extends Page {
  readonly section = 'reports';
  private list: Recipient[] | null = null;
  private users: StaffUser[] = [];
  private chosen = '';
  private error: string | null = null;
  private notice: string | null = null;
  private busy = false;

  constructor(host: Host) {
    super(host);
    this.render();
    void this.load();
  }

  title(): string {
    return t('reports.recipients.title');
  }

  private async load(): Promise<void> {
    try {
      const [r, u] = await Promise.all([reportsApi.recipients(), reportsApi.users().catch(() => ({ users: [] }))]);
      this.list = r.recipients ?? [];
      this.users = (u.users ?? []).filter((x) => x.role === 'coordinator' || x.role === 'caseworker');
    } catch (err) {
      this.error = reportsError(err, (e) => this.host.fail(e));
      this.list = [];
    }
    this.render();
  }

  private async change(call: () => Promise<unknown>, notice: string): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    this.notice = null;
    this.render();
    try {
      await call();
      this.notice = notice;
      this.chosen = '';
      const r = await reportsApi.recipients();
      this.list = r.recipients ?? [];
    } catch (err) {
      this.error = reportsError(err, (e) => this.host.fail(e));
    }
    this.busy = false;
    this.render(this.error ? '#recipients-error' : '#recipients-notice');
  }

  private addForm(): HTMLElement {
    const current = new Set((this.list ?? []).filter((r) => r.active).map((r) => r.user_id));
    const select = h(
      'select',
      { id: 'rp-add-user', onchange: () => (this.chosen = select.value) },
      h('option', { value: '' }, t('reports.recipients.choose')),
      this.users
        .filter((u) => !current.has(u.id))
        .map((u) => h('option', { value: String(u.id), selected: String(u.id) === this.chosen }, `${u.display_name || u.username} (${u.username})`)),
    );
    return h(
      'form',
      {
        class: 'rp-inline',
        onsubmit: (e: Event) => {
          e.preventDefault();
          const id = Number(this.chosen);
          if (!id) return;
          void this.change(() => reportsApi.addRecipient(id), t('reports.recipients.added'));
        },
      },
      h('div', { class: 'field' }, h('label', { for: 'rp-add-user' }, t('reports.recipients.add_label')), select),
      h('button', { type: 'submit', class: 'btn btn-primary', disabled: this.busy }, t('reports.recipients.add')),
    );
  }

  protected view(): (Node | null)[] {
    const list = this.list;
    return [
      pageHead(t('reports.recipients.title')),
      subNav('recipients', true),
      h('p', { class: 'muted' }, t('reports.recipients.intro')),
      alertBox(this.error, 'recipients-error'),
      alertBox(this.notice, 'recipients-notice', 'info'),
      list === null
        ? h('p', { class: 'muted loading', role: 'status' }, t('app.loading'))
        : h(
            'div',
            { class: 'rp-table-wrap' },
            h(
              'table',
              { class: 'rp-table', 'data-testid': 'recipients' },
              h('caption', { class: 'visually-hidden' }, t('reports.recipients.title')),
              h(
                'thead',
                null,
                h('tr', null, ['name', 'since', 'key', 'actions'].map((c) => h('th', { scope: 'col' }, t(`reports.recipients.col.${c}`)))),
              ),
              h(
                'tbody',
                null,
                list.map((r) =>
                  h(
                    'tr',
                    { 'data-user': r.user_id },
                    h('td', null, `${r.display_name || r.username} (${r.username})`, r.active ? null : h('span', { class: 'chip' }, t('reports.recipients.inactive'))),
                    h('td', null, dayEl(r.added_day)),
                    h('td', null, t(r.has_key ? 'reports.recipients.has_key' : 'reports.recipients.no_key')),
                    h(
                      'td',
                      null,
                      h(
                        'button',
                        {
                          type: 'button',
                          class: 'btn btn-secondary',
                          disabled: this.busy,
                          'aria-label': t('reports.recipients.remove_named', { name: r.display_name || r.username }),
                          onclick: () => void this.change(() => reportsApi.removeRecipient(r.user_id), t('reports.recipients.removed')),
                        },
                        t('reports.recipients.remove'),
                      ),
                    ),
                  ),
                ),
              ),
            ),
          ),
      this.addForm(),
    ];
  }
}
