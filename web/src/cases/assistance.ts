// Protection and assistance: services given to the person, referrals to other organisations
// (only with the person's consent, which they may withdraw), and the reflection-period,
// residence-permit and compensation procedures with their due dates.
import { ApiError, request, type Organisation } from '../api';
import { h } from '../dom';
import { currentLocale, t } from '../i18n';
import type { Route } from '../page';
import { alertBox } from '../views/common';
import type { Panel, PanelContext } from './case';
import { formatDay, formatWhen } from './ref';
import { chip, field, idFor, loading, pointerFor, select, textArea, textInput, type FieldErrors } from './ui';

export const SERVICE_KINDS = [
  'shelter', 'medical', 'psychological', 'legal_aid', 'interpretation', 'education', 'livelihood',
  'voluntary_return', 'reintegration',
];
export const PROCEDURES: Record<string, string[]> = {
  reflection_period: ['active', 'ended'],
  residence_permit: ['applied', 'granted', 'refused', 'appealed', 'withdrawn'],
  compensation_claim: ['filed', 'awarded', 'rejected', 'paid', 'withdrawn'],
};
/** Statuses after which a procedure has nothing left to be due. */
const CLOSED = new Set(['ended', 'granted', 'refused', 'withdrawn', 'rejected', 'paid']);

interface Service {
  id: number;
  kind: string;
  provider: string;
  start_date: string | null;
  end_date: string | null;
  outcome: string | null;
  note: string | null;
  created_by: string;
}
interface Referral {
  id: number;
  to_organisation: Organisation;
  purpose: string;
  consent_recorded_at: string | null;
  consent_withdrawn_at: string | null;
  active: boolean;
  created_by: string;
}
interface Procedure {
  id: number;
  kind: string;
  status: string;
  start_date: string | null;
  due_date: string | null;
  decided_date: string | null;
  amount: number | null;
  currency: string | null;
  note: string | null;
}
type Form = Record<string, string>;

const today = () => new Date().toISOString().slice(0, 10);

/** Digits after the decimal point of a currency (2 for EUR, 0 for JPY). */
function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export function formatAmount(amount: number, currency: string | null): string {
  if (!currency) return new Intl.NumberFormat(currentLocale()).format(amount);
  const d = minorDigits(currency);
  try {
    return new Intl.NumberFormat(currentLocale(), { style: 'currency', currency }).format(amount / 10 ** d);
  } catch {
    return `${amount / 10 ** d} ${currency}`;
  }
}

const kindLabel = (kind: string) => t(`assist.proc.kind.${kind}`);
const statusText = (s: string) => t(`assist.proc.status.${s}`);

export class AssistancePanel implements Panel {
  private services: Service[] | null = null;
  private referrals: Referral[] = [];
  private procedures: Procedure[] = [];
  /** null: the list is not open to this role; type the number instead. */
  private orgs: Organisation[] | null = null;
  private error: string | null = null;
  private busy = '';
  private svc: Form = { kind: 'shelter' };
  private ref: Form = {};
  private consent = false;
  private proc: Form = { kind: 'reflection_period' };
  private errors: Record<'service' | 'referral' | 'procedure', FieldErrors> = { service: {}, referral: {}, procedure: {} };
  private formError: Record<string, string | null> = {};
  private edits = new Map<number, { status: string; due_date: string }>();
  private rowError = new Map<number, string>();
  private confirming: number | null = null;

  constructor(private readonly ctx: PanelContext) {
    void this.load();
  }

  route(_r: Route): string | undefined {
    return undefined;
  }

  private get base(): string {
    return `/api/v1/cases/${this.ctx.caseData().id}`;
  }

  private async load(): Promise<void> {
    try {
      const [s, r, p] = await Promise.all([
        request<{ services: Service[] }>('GET', `${this.base}/services`),
        request<{ referrals: Referral[] }>('GET', `${this.base}/referrals`),
        request<{ procedures: Procedure[] }>('GET', `${this.base}/procedures`),
        // Every staff member may list organisations; should that fail, the number is typed.
        request<{ organisations: Organisation[] }>('GET', '/api/v1/organisations').then(
          (o) => {
            const own = this.ctx.host.user.organisation?.id;
            this.orgs = (o.organisations ?? []).filter((x) => x.id !== own);
          },
          () => (this.orgs = null),
        ),
      ]);
      this.services = s.services ?? [];
      this.referrals = r.referrals ?? [];
      this.setProcedures(p.procedures ?? []);
    } catch (err) {
      this.error = this.ctx.host.fail(err);
      this.services ??= [];
    }
    this.ctx.rerender();
  }

  private setProcedures(list: Procedure[]): void {
    this.procedures = list;
    this.edits = new Map(list.map((p) => [p.id, { status: p.status, due_date: p.due_date ?? '' }]));
  }

  view(): (Node | null)[] {
    if (!this.services) return [this.error ? alertBox(this.error, 'assist-error') : loading()];
    return [
      alertBox(this.error, 'assist-error'),
      h('div', { class: 'assist-grid' }, this.servicesSection(), this.referralsSection(), this.proceduresSection()),
    ];
  }

  // Forms ---------------------------------------------------------------------------------------

  /** A labelled input of a form; its pointer is "/<form>/<field>" so ids stay unique. */
  private input(form: 'service' | 'referral' | 'procedure', model: Form, key: string, label: string, o: { type?: string; control?: HTMLElement; hint?: string; optional?: boolean } = {}): HTMLElement {
    const control = o.control ?? textInput(model[key], (v) => (model[key] = v), o.type ? { type: o.type } : {});
    return field({ pointer: `/${form}/${key}`, label, errors: this.errors[form], control, hint: o.hint, optional: o.optional });
  }

  private form(form: 'service' | 'referral' | 'procedure', title: string, submit: string, fields: HTMLElement[], send: () => Promise<void>): HTMLElement {
    const el = h(
      'form',
      { class: 'assist-form', id: `${form}-form`, novalidate: true },
      h('h3', { class: 'sub-title' }, title),
      h('div', { class: 'grid-3' }, fields),
      alertBox(this.formError[form] ?? null, `${form}-error`),
      h('div', null, h('button', { type: 'submit', class: 'btn btn-primary', disabled: this.busy === form }, submit)),
    );
    el.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit(form, send);
    });
    return el;
  }

  private async submit(form: 'service' | 'referral' | 'procedure', send: () => Promise<void>): Promise<void> {
    this.busy = form;
    this.errors[form] = {};
    this.formError[form] = null;
    this.ctx.rerender();
    let focus: string | undefined;
    try {
      await send();
    } catch (err) {
      const msg = this.ctx.host.fail(err);
      const rendered = [...document.querySelectorAll(`#${form}-form [data-pointer]`)].map(
        (e) => e.getAttribute('data-pointer')!.slice(form.length + 1),
      );
      const at = err instanceof ApiError ? pointerFor(err.field, rendered) : '';
      if (at) {
        this.errors[form][`/${form}${at}`] = msg;
        focus = `#${idFor(`/${form}${at}`)}`;
      } else {
        this.formError[form] = msg;
      }
    }
    this.busy = '';
    this.ctx.rerender(focus);
  }

  private clean(model: Form): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(model)) if (v.trim()) out[k] = v.trim();
    return out;
  }

  // Services ------------------------------------------------------------------------------------

  private servicesSection(): HTMLElement {
    const list = this.services!;
    const kinds = SERVICE_KINDS.map((k) => ({ value: k, label: t(`assist.service.kind.${k}`) }));
    return h(
      'section',
      { class: 'card-box', 'aria-labelledby': 'services-h' },
      h('h2', { id: 'services-h', class: 'section-title' }, t('assist.services.title')),
      list.length
        ? h(
            'ul',
            { class: 'assist-list', 'data-testid': 'services' },
            list.map((s) =>
              h(
                'li',
                { class: 'assist-item' },
                h('div', { class: 'assist-head' }, h('strong', null, t(`assist.service.kind.${s.kind}`)), h('span', null, s.provider)),
                h('p', { class: 'muted small' }, [formatDay(s.start_date ?? undefined), formatDay(s.end_date ?? undefined)].filter(Boolean).join(' – ')),
                s.outcome ? h('p', null, s.outcome) : null,
                s.note ? h('p', { class: 'note-text' }, s.note) : null,
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('assist.services.empty')),
      this.form('service', t('assist.services.add_title'), t('assist.services.add'), [
        this.input('service', this.svc, 'kind', t('assist.service.kind'), { control: select(kinds, this.svc.kind, (v) => (this.svc.kind = v)) }),
        this.input('service', this.svc, 'provider', t('assist.service.provider')),
        this.input('service', this.svc, 'start_date', t('assist.start_date'), { type: 'date', optional: true }),
        this.input('service', this.svc, 'end_date', t('assist.end_date'), { type: 'date', optional: true }),
        this.input('service', this.svc, 'outcome', t('assist.service.outcome'), { optional: true }),
        this.input('service', this.svc, 'note', t('assist.note'), { optional: true, control: textArea(this.svc.note, (v) => (this.svc.note = v), 2) }),
      ], async () => {
        const r = await request<{ services: Service[] }>('POST', `${this.base}/services`, this.clean(this.svc));
        this.services = r.services ?? [];
        this.svc = { kind: this.svc.kind };
      }),
    );
  }

  // Referrals -----------------------------------------------------------------------------------

  private referralsSection(): HTMLElement {
    const orgControl = this.orgs
      ? select(this.orgs.map((o) => ({ value: String(o.id), label: o.name })), this.ref.to_organisation, (v) => (this.ref.to_organisation = v), '')
      : textInput(this.ref.to_organisation, (v) => (this.ref.to_organisation = v), { type: 'number', min: 1, inputmode: 'numeric' });
    const consentId = idFor('/referral/consent');
    const consentError = this.errors.referral['/referral/consent'];
    const box = h('input', {
      type: 'checkbox',
      id: consentId,
      checked: this.consent,
      'data-pointer': '/referral/consent',
      'aria-describedby': `${consentId}-hint${consentError ? ` ${consentId}-error` : ''}`,
      'aria-invalid': consentError ? 'true' : null,
    });
    box.addEventListener('change', () => (this.consent = box.checked));
    const consent = h(
      'div',
      { class: `field field-wide consent${consentError ? ' has-error' : ''}` },
      h('label', { class: 'choice', for: consentId }, box, h('span', null, t('assist.referral.consent'))),
      h('p', { class: 'hint', id: `${consentId}-hint` }, t('assist.referral.consent_hint')),
      consentError ? h('p', { class: 'field-error', id: `${consentId}-error` }, consentError) : null,
    );
    return h(
      'section',
      { class: 'card-box', 'aria-labelledby': 'referrals-h' },
      h('h2', { id: 'referrals-h', class: 'section-title' }, t('assist.referrals.title')),
      this.referrals.length
        ? h('ul', { class: 'assist-list', 'data-testid': 'referrals' }, this.referrals.map((r) => this.referralItem(r)))
        : h('p', { class: 'muted' }, t('assist.referrals.empty')),
      this.form('referral', t('assist.referrals.add_title'), t('assist.referrals.add'), [
        this.input('referral', this.ref, 'to_organisation', t(this.orgs ? 'assist.referral.to' : 'assist.referral.to_id'), {
          control: orgControl,
          hint: this.orgs ? undefined : t('assist.referral.to_id_hint'),
        }),
        this.input('referral', this.ref, 'purpose', t('assist.referral.purpose'), { control: textArea(this.ref.purpose, (v) => (this.ref.purpose = v), 2) }),
        consent,
      ], async () => {
        if (!this.consent) {
          // Never implied: the API refuses it too, but say so before anything is sent.
          throw new ApiError(400, 'invalid', t('assist.referral.consent_required'), '/consent');
        }
        const to = Number(this.ref.to_organisation);
        const r = await request<{ referrals: Referral[] }>('POST', `${this.base}/referrals`, {
          to_organisation: Number.isInteger(to) && to > 0 ? to : this.ref.to_organisation ?? '',
          purpose: (this.ref.purpose ?? '').trim(),
          consent: true,
        });
        this.referrals = r.referrals ?? [];
        this.ref = {};
        this.consent = false;
      }),
    );
  }

  private referralItem(r: Referral): HTMLElement {
    const withdrawId = `withdraw-${r.id}`;
    let actions: HTMLElement | null = null;
    if (r.active && this.confirming === r.id) {
      actions = h(
        'div',
        { class: 'confirm', role: 'group', 'aria-labelledby': `${withdrawId}-q` },
        h('p', { id: `${withdrawId}-q` }, t('assist.referral.withdraw_confirm', { org: r.to_organisation.name })),
        h('button', { type: 'button', class: 'btn btn-danger', id: `${withdrawId}-yes`, disabled: this.busy === withdrawId, onclick: () => void this.withdraw(r.id) }, t('assist.referral.withdraw_yes')),
        ' ',
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { this.confirming = null; this.ctx.rerender(`#${withdrawId}`); } }, t('assist.cancel')),
      );
    } else if (r.active) {
      actions = h('button', { type: 'button', class: 'btn btn-secondary btn-small', id: withdrawId, onclick: () => { this.confirming = r.id; this.ctx.rerender(`#${withdrawId}-yes`); } }, t('assist.referral.withdraw'));
    }
    return h(
      'li',
      { class: 'assist-item', 'data-referral': r.id },
      h(
        'div',
        { class: 'assist-head' },
        h('strong', null, r.to_organisation.name),
        r.active
          ? chip(t('assist.referral.active', { date: formatWhen(r.consent_recorded_at ?? undefined, 'short') }), 'done')
          : chip(t('assist.referral.withdrawn', { date: formatWhen(r.consent_withdrawn_at ?? undefined, 'short') }), 'muted'),
      ),
      h('p', null, r.purpose),
      h('p', { class: 'muted small' }, t('assist.by', { user: r.created_by })),
      alertBox(this.rowError.get(-r.id) ?? null, `${withdrawId}-error`),
      actions,
    );
  }

  private async withdraw(rid: number): Promise<void> {
    this.busy = `withdraw-${rid}`;
    this.rowError.delete(-rid);
    this.ctx.rerender();
    try {
      const r = await request<{ referrals: Referral[] }>('POST', `${this.base}/referrals/${rid}/withdraw`);
      this.referrals = r.referrals ?? [];
      this.confirming = null;
    } catch (err) {
      this.rowError.set(-rid, this.ctx.host.fail(err));
    }
    this.busy = '';
    this.ctx.rerender('#referrals-h');
  }

  // Procedures ----------------------------------------------------------------------------------

  private proceduresSection(): HTMLElement {
    const kinds = Object.keys(PROCEDURES).map((k) => ({ value: k, label: kindLabel(k) }));
    const statuses = PROCEDURES[this.proc.kind] ?? [];
    if (this.proc.status && !statuses.includes(this.proc.status)) this.proc.status = '';
    return h(
      'section',
      { class: 'card-box', 'aria-labelledby': 'procedures-h' },
      h('h2', { id: 'procedures-h', class: 'section-title' }, t('assist.procedures.title')),
      this.procedures.length
        ? h('ul', { class: 'assist-list', 'data-testid': 'procedures' }, this.procedures.map((p) => this.procedureItem(p)))
        : h('p', { class: 'muted' }, t('assist.procedures.empty')),
      this.form('procedure', t('assist.procedures.add_title'), t('assist.procedures.add'), [
        this.input('procedure', this.proc, 'kind', t('assist.proc.kind'), {
          control: select(kinds, this.proc.kind, (v) => {
            this.proc.kind = v;
            this.ctx.rerender();
          }),
        }),
        this.input('procedure', this.proc, 'status', t('assist.proc.status'), {
          optional: true,
          control: select(statuses.map((s) => ({ value: s, label: statusText(s) })), this.proc.status, (v) => (this.proc.status = v), ''),
        }),
        this.input('procedure', this.proc, 'start_date', t('assist.start_date'), { type: 'date', optional: true }),
        this.input('procedure', this.proc, 'due_date', t('assist.proc.due_date'), { type: 'date', optional: true }),
        this.input('procedure', this.proc, 'decided_date', t('assist.proc.decided_date'), { type: 'date', optional: true }),
        this.proc.kind === 'compensation_claim'
          ? this.input('procedure', this.proc, 'amount', t('assist.proc.amount'), { type: 'number', optional: true })
          : null,
        this.proc.kind === 'compensation_claim'
          ? this.input('procedure', this.proc, 'currency', t('assist.proc.currency'), { optional: true, hint: t('assist.proc.currency_hint') })
          : null,
        this.input('procedure', this.proc, 'note', t('assist.note'), { optional: true, control: textArea(this.proc.note, (v) => (this.proc.note = v), 2) }),
      ].filter(Boolean) as HTMLElement[], async () => {
        const body: Record<string, string | number> = this.clean(this.proc);
        if (body.currency) body.currency = String(body.currency).toUpperCase();
        if (body.amount !== undefined) {
          const n = Number(body.amount);
          // Typed in the currency's units, sent in its minor unit (cents).
          body.amount = Number.isFinite(n) ? Math.round(n * 10 ** minorDigits(String(body.currency ?? 'EUR'))) : body.amount;
        }
        const r = await request<{ procedures: Procedure[] }>('POST', `${this.base}/procedures`, body);
        this.setProcedures(r.procedures ?? []);
        this.proc = { kind: this.proc.kind };
      }),
    );
  }

  private procedureItem(p: Procedure): HTMLElement {
    const edit = this.edits.get(p.id) ?? { status: p.status, due_date: p.due_date ?? '' };
    const open = !CLOSED.has(p.status);
    const overdue = open && !!p.due_date && p.due_date < today();
    const sid = `proc-${p.id}-status`;
    const did = `proc-${p.id}-due`;
    const status = select((PROCEDURES[p.kind] ?? [p.status]).map((s) => ({ value: s, label: statusText(s) })), edit.status, (v) => (edit.status = v));
    status.id = sid;
    const due = textInput(edit.due_date, (v) => (edit.due_date = v), { type: 'date', id: did });
    const rowErr = this.rowError.get(p.id) ?? null;
    const form = h(
      'form',
      { class: 'proc-edit', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: sid }, t('assist.proc.status')), status),
      h('div', { class: 'field' }, h('label', { for: did }, t('assist.proc.due_date')), due),
      h('button', { type: 'submit', class: 'btn btn-secondary btn-small', disabled: this.busy === `proc-${p.id}` }, t('assist.proc.save')),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.saveProcedure(p, edit);
    });
    return h(
      'li',
      { class: `assist-item${overdue ? ' is-overdue' : ''}`, 'data-procedure': p.id, 'data-kind': p.kind },
      h(
        'div',
        { class: 'assist-head' },
        h('strong', null, kindLabel(p.kind)),
        chip(statusText(p.status), open ? 'progress' : 'muted'),
        overdue ? chip(t('assist.proc.overdue'), 'overdue') : null,
      ),
      h(
        'p',
        { class: 'small' },
        [
          p.start_date ? `${t('assist.start_date')}: ${formatDay(p.start_date)}` : '',
          p.due_date ? t('assist.proc.due', { date: formatDay(p.due_date) }) : '',
          p.decided_date ? `${t('assist.proc.decided_date')}: ${formatDay(p.decided_date)}` : '',
          p.amount !== null && p.amount !== undefined ? `${t('assist.proc.amount')}: ${formatAmount(p.amount, p.currency)}` : '',
        ]
          .filter(Boolean)
          .join(' · '),
      ),
      p.note ? h('p', { class: 'note-text' }, p.note) : null,
      form,
      alertBox(rowErr, `proc-${p.id}-error`),
    );
  }

  private async saveProcedure(p: Procedure, edit: { status: string; due_date: string }): Promise<void> {
    const body: Record<string, string | null> = {};
    if (edit.status !== p.status) body.status = edit.status;
    if (edit.due_date !== (p.due_date ?? '')) body.due_date = edit.due_date || null;
    if (!Object.keys(body).length) return;
    this.busy = `proc-${p.id}`;
    this.rowError.delete(p.id);
    this.ctx.rerender();
    try {
      const r = await request<{ procedures: Procedure[] }>('PATCH', `${this.base}/procedures/${p.id}`, body);
      this.setProcedures(r.procedures ?? []);
    } catch (err) {
      this.rowError.set(p.id, this.ctx.host.fail(err));
    }
    this.busy = '';
    this.ctx.rerender(this.rowError.has(p.id) ? `#proc-${p.id}-status` : undefined);
  }
}
