// One report for a recipient: what was told, photos, the thread with internal notes, replies,
// the messaging mode, and triage (link to a case, open a new case, close with a reason).
import { h } from '../dom';
import { currentLocale, formatNumber, t } from '../i18n';
import { Page, type Host } from '../page';
import { alertBox } from '../views/common';
import { MESSAGING, label, regionName, reportsApi, reportsError, type StaffView } from './api';
import { dayEl, statusChip } from './shared';

export class ReportPage extends Page {
  readonly section = 'reports';
  private report: StaffView | null = null;
  private error: string | null = null;
  private notice: string | null = null;
  private busy = false;
  private reply = '';
  private reason = '';
  private caseId = '';
  private mode = '';
  private newCase: { id: number; reference?: string } | null = null;

  constructor(
    host: Host,
    private readonly id: number,
  ) {
    super(host);
    this.render();
    void this.load();
  }

  title(): string {
    return t('reports.number', { id: this.id });
  }

  private fail(err: unknown): string {
    return reportsError(err, (e) => this.host.fail(e));
  }

  private async load(): Promise<void> {
    try {
      this.report = await reportsApi.get(this.id);
      this.mode = this.report.messaging;
    } catch (err) {
      this.error = this.fail(err);
    }
    this.render();
  }

  /** Runs one POST that answers the report, then shows it with a notice. */
  private async act(call: () => Promise<StaffView>, notice: string, focus: string, reset?: () => void): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    this.notice = null;
    this.render();
    try {
      this.report = await call();
      this.mode = this.report.messaging;
      reset?.();
      this.notice = notice;
    } catch (err) {
      this.error = this.fail(err);
    }
    this.busy = false;
    this.render(this.error ? '#report-error' : focus);
  }

  private async makeCase(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    this.notice = null;
    this.render();
    try {
      const r = await reportsApi.toCase(this.id);
      this.report = r.report;
      this.newCase = r.case;
    } catch (err) {
      this.error = this.fail(err);
    }
    this.busy = false;
    this.render(this.error ? '#report-error' : '#report-new-case a');
  }

  private submission(v: StaffView): HTMLElement {
    const s = v.submission;
    const row = (key: string, value: Node | string) =>
      [h('dt', null, t(`reports.field.${key}`)), h('dd', { 'data-field': key }, value)] as const;
    return h(
      'section',
      { class: 'panel rp-section', 'aria-labelledby': 'rp-told-h' },
      h('h2', { id: 'rp-told-h', class: 'section-title' }, t('reports.told')),
      h(
        'dl',
        { class: 'rp-facts' },
        ...row('channel', label('channel', s.channel)),
        ...row('language', label('language', s.language)),
        ...row('country', regionName(s.place_country, currentLocale())),
        ...row('place', s.place || '—'),
        ...row('work_type', label('work', s.work_type)),
        ...row(
          'signs',
          s.signs.length
            ? h('ul', { class: 'rp-signs' }, s.signs.map((c) => h('li', { 'data-sign': c }, label('sign', c))))
            : '—',
        ),
        ...row('affected', label('affected', s.affected)),
        ...row('people_count', s.people_count === null ? '—' : formatNumber(s.people_count)),
        ...row('when_seen', label('when', s.when_seen)),
      ),
      h('h3', { class: 'sub-title' }, t('reports.field.description')),
      h('p', { class: 'rp-text', 'data-testid': 'report-description' }, s.description || '—'),
      v.attachments.length
        ? h(
            'div',
            null,
            h('h3', { class: 'sub-title' }, t('reports.attachments')),
            h(
              'ul',
              { class: 'rp-files' },
              v.attachments.map((a) =>
                h(
                  'li',
                  null,
                  h(
                    'a',
                    {
                      href: reportsApi.attachmentUrl(v.id, a.id),
                      download: a.filename || `report-${v.id}-${a.id}`,
                      'aria-label': t('reports.download_named', { name: a.filename || String(a.id) }),
                    },
                    a.filename || String(a.id),
                  ),
                ),
              ),
            ),
          )
        : null,
    );
  }

  private thread(v: StaffView): HTMLElement {
    return h(
      'section',
      { class: 'panel rp-section', 'aria-labelledby': 'rp-thread-h' },
      h('h2', { id: 'rp-thread-h', class: 'section-title' }, t('reports.thread')),
      v.messages.length
        ? h(
            'ol',
            { class: 'rp-thread', 'data-testid': 'report-thread' },
            v.messages.map((m) => {
              const internal = m.visibility === 'internal';
              const who = m.author === 'reporter' ? t('reports.author.reporter') : m.staff_name || t('reports.author.staff');
              return h(
                'li',
                { class: `rp-msg rp-msg-${m.author}${internal ? ' rp-msg-internal' : ''}`, 'data-message': m.id },
                h(
                  'p',
                  { class: 'rp-msg-meta' },
                  h('span', { class: 'rp-who' }, who),
                  ' · ',
                  dayEl(m.day),
                  internal ? h('span', { class: 'chip rp-internal' }, t('reports.internal_note')) : null,
                ),
                h('p', { class: 'rp-text' }, m.text),
              );
            }),
          )
        : h('p', { class: 'muted' }, t('reports.no_messages')),
      this.replyForm(v),
    );
  }

  private replyForm(v: StaffView): HTMLElement {
    const text = h('textarea', {
      id: 'rp-reply',
      rows: 4,
      oninput: () => (this.reply = text.value),
    });
    text.value = this.reply;
    const send = (visibility: 'thread' | 'internal') => {
      const body = this.reply.trim();
      if (!body) {
        this.error = t('errors.required');
        this.render('#report-error');
        return;
      }
      void this.act(
        () => reportsApi.reply(this.id, body, visibility),
        t(visibility === 'thread' ? 'reports.sent' : 'reports.noted'),
        '#rp-reply',
        () => (this.reply = ''),
      );
    };
    return h(
      'form',
      { class: 'rp-form', onsubmit: (e: Event) => e.preventDefault() },
      h('div', { class: 'field' }, h('label', { for: 'rp-reply' }, t('reports.reply')), text),
      v.messaging === 'off' ? h('p', { class: 'hint' }, t('reports.messaging_off_hint')) : null,
      h(
        'div',
        { class: 'rp-actions' },
        h(
          'button',
          { type: 'button', class: 'btn btn-primary', disabled: this.busy || v.messaging === 'off', onclick: () => send('thread') },
          t('reports.send_to_reporter'),
        ),
        h('button', { type: 'button', class: 'btn btn-secondary', disabled: this.busy, onclick: () => send('internal') }, t('reports.add_note')),
      ),
    );
  }

  private triage(v: StaffView): HTMLElement {
    const mode = h(
      'select',
      { id: 'rp-mode', onchange: () => (this.mode = mode.value) },
      MESSAGING.map((m) => h('option', { value: m, selected: m === this.mode }, label('messaging', m))),
    );
    const caseInput = h('input', { id: 'rp-case-id', type: 'text', inputmode: 'numeric', value: this.caseId, oninput: () => (this.caseId = caseInput.value) });
    const reason = h('textarea', { id: 'rp-reason', rows: 2, oninput: () => (this.reason = reason.value) });
    reason.value = this.reason;
    const closed = v.status === 'closed';
    return h(
      'section',
      { class: 'panel rp-section', 'aria-labelledby': 'rp-triage-h' },
      h('h2', { id: 'rp-triage-h', class: 'section-title' }, t('reports.triage')),
      h(
        'form',
        {
          class: 'rp-inline',
          onsubmit: (e: Event) => {
            e.preventDefault();
            void this.act(() => reportsApi.messaging(this.id, this.mode), t('reports.messaging_changed'), '#rp-mode');
          },
        },
        h('div', { class: 'field' }, h('label', { for: 'rp-mode' }, t('reports.messaging')), mode),
        h('button', { type: 'submit', class: 'btn btn-secondary', disabled: this.busy }, t('reports.change')),
      ),
      v.case_id
        ? h('p', { 'data-testid': 'report-case' }, t('reports.linked_to'), ' ', h('a', { href: `#cases/${v.case_id}` }, t('reports.case_number', { id: v.case_id })))
        : h(
            'div',
            null,
            h(
              'form',
              {
                class: 'rp-inline',
                onsubmit: (e: Event) => {
                  e.preventDefault();
                  const id = Number(this.caseId.trim());
                  if (!/^\d+$/.test(this.caseId.trim()) || id <= 0) {
                    this.error = t('reports.case_id_invalid');
                    this.render('#report-error');
                    return;
                  }
                  void this.act(() => reportsApi.link(this.id, id), t('reports.linked'), '#rp-case-id', () => (this.caseId = ''));
                },
              },
              h('div', { class: 'field' }, h('label', { for: 'rp-case-id' }, t('reports.case_id')), caseInput),
              h('button', { type: 'submit', class: 'btn btn-secondary', disabled: this.busy }, t('reports.link')),
            ),
            h(
              'p',
              null,
              h('button', { type: 'button', class: 'btn btn-primary', disabled: this.busy, onclick: () => void this.makeCase() }, t('reports.make_case')),
            ),
          ),
      closed
        ? h('p', { 'data-testid': 'report-closed' }, t('reports.closed_because'), ' ', h('q', null, v.close_reason || '—'))
        : h(
            'form',
            {
              class: 'rp-form',
              onsubmit: (e: Event) => {
                e.preventDefault();
                const why = this.reason.trim();
                if (!why) {
                  this.error = t('reports.reason_required');
                  this.render('#report-error');
                  return;
                }
                void this.act(() => reportsApi.close(this.id, why), t('reports.closed'), 'h1', () => (this.reason = ''));
              },
            },
            h('div', { class: 'field' }, h('label', { for: 'rp-reason' }, t('reports.close_reason')), reason),
            h('button', { type: 'submit', class: 'btn btn-secondary', disabled: this.busy }, t('reports.close')),
          ),
    );
  }

  protected view(): (Node | null)[] {
    const v = this.report;
    return [
      h('p', { class: 'rp-back' }, h('a', { href: '#reports' }, t('reports.back_to_queue'))),
      h(
        'div',
        { class: 'page-head page-head-row' },
        h('h1', { class: 'page-title', tabindex: '-1' }, t('reports.number', { id: this.id })),
        v ? statusChip(v.status) : null,
      ),
      alertBox(this.error, 'report-error'),
      alertBox(this.notice, 'report-notice', 'info'),
      this.newCase
        ? h(
            'p',
            { id: 'report-new-case', class: 'alert alert-info' },
            t('reports.case_made'),
            ' ',
            h('a', { href: `#cases/${this.newCase.id}` }, t('reports.open_case', { ref: this.newCase.reference ?? String(this.newCase.id) })),
          )
        : null,
      !v
        ? this.error
          ? null
          : h('p', { class: 'muted loading', role: 'status' }, t('app.loading'))
        : h(
            'div',
            { class: 'rp-page' },
            h(
              'p',
              { class: 'muted' },
              t('reports.received_on'),
              ' ',
              dayEl(v.day),
              v.expires_day ? [' · ', t('reports.expires_on'), ' ', dayEl(v.expires_day)] : null,
            ),
            this.submission(v),
            this.thread(v),
            this.triage(v),
          ),
    ];
  }
}
