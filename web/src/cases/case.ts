// One case: header (reference, status, the non-punishment flag), and its sections as tabs:
// overview (person, profile, route, status), timeline (history and notes), assistance,
// screening, legal classification, files. Analysts get the pseudonymous view: no identifiers,
// no timeline, no writing. Law enforcement reads the overview only (identifiers, route,
// profile, status, the non-punishment flag): no other tab, no writing, no other request.
import { ApiError } from '../api';
import { h } from '../dom';
import { currentLocale, localeInfo, t } from '../i18n';
import { Page, type Host, type Route } from '../page';
import { alertBox } from '../views/common';
import { casesApi, type Case, type HistoryEntry, type Note } from './api';
import { AssistancePanel } from './assistance';
import { AttachmentsPanel } from './attachments';
import { ClassificationPanel } from './legal';
import {
  codeLabel,
  countryName,
  formatDay,
  formatWhen,
  listFormat,
  loadCountries,
  nextStatuses,
  statusLabel,
  STATUSES,
} from './ref';
import { routeStrip } from './route';
import { ScreeningPanel } from './screening';
import { canWrite, nonPunishmentChip, personName, statusChip } from './shared';
import { facts, loading, select, textArea } from './ui';
import { DuplicatesPanel, linkedCasesView, mayReviewDuplicates } from './duplicates';

type Tab = 'overview' | 'timeline' | 'assistance' | 'screening' | 'classification' | 'files';
const TABS: Tab[] = ['overview', 'timeline', 'assistance', 'screening', 'classification', 'files'];

export interface PanelContext {
  host: Host;
  caseData(): Case;
  writable: boolean;
  rerender(focus?: string): void;
}

export interface Panel {
  view(): (Node | null)[];
  /** Takes the route; returns what to focus when it moved somewhere new. */
  route(r: Route): string | undefined;
}

interface TimelineEvent {
  at: string;
  kind: 'change' | 'status' | 'note' | 'created';
  actor: string;
  body: (Node | string)[];
}

/** An arrow pointing the way text reads. */
function arrow(): string {
  return localeInfo(currentLocale()).dir === 'rtl' ? ' ← ' : ' → ';
}

const PROFILE_CODE_FIELDS = new Set(['gender', 'age_band', 'traffick_months']);
const COUNTRY_FIELDS = new Set(['citizenship', 'country_of_exploitation']);

export class CasePage extends Page {
  readonly section = 'cases';
  private c: Case | null = null;
  private error: string | null = null;
  private tab: Tab = 'overview';
  private route: Route;
  // Status change form.
  private nextStatus = '';
  private reason = '';
  private statusBusy = false;
  private statusError: string | null = null;
  /** The status a change just moved to (the notice is written in the current language). */
  private statusChanged: string | null = null;
  // Timeline.
  private history: HistoryEntry[] | null = null;
  private notes: Note[] | null = null;
  private timelineError: string | null = null;
  private noteText = '';
  private noteBusy = false;
  private noteError: string | null = null;
  private panels: Partial<Record<Tab, Panel>> = {};
  private duplicates: DuplicatesPanel | null = null;

  constructor(
    host: Host,
    readonly caseId: number,
    route: Route,
  ) {
    super(host);
    this.route = route;
    this.tab = CasePage.tabOf(route);
    this.render();
    void this.load();
  }

  static tabOf(r: Route): Tab {
    const t = r.path[2] as Tab | undefined;
    return t && TABS.includes(t) ? t : 'overview';
  }

  override update(r: Route): boolean {
    if (r.path[1] !== String(this.caseId) || r.path[2] === 'edit') return false;
    const tab = CasePage.tabOf(r);
    const changed = tab !== this.tab;
    this.tab = tab;
    this.route = r;
    if (tab === 'timeline' && this.history === null) void this.loadTimeline();
    const focus = this.panel()?.route(r);
    this.render(changed ? '.tab[aria-current="page"]' : focus);
    return true;
  }

  title(): string {
    const ref = this.c?.reference ?? t('cases.case');
    return this.tab === 'overview' ? ref : `${t(`cases.tab.${this.tab}`)} – ${ref}`;
  }

  private get full(): boolean {
    return !!this.c?.person;
  }

  private get writable(): boolean {
    return canWrite(this.host.user) && this.full;
  }

  private async load(): Promise<void> {
    try {
      const [c] = await Promise.all([casesApi.get(this.caseId), loadCountries().catch(() => [])]);
      this.c = c;
      this.nextStatus = nextStatuses(c.status)[0] ?? '';
      this.host.retitle();
      if (this.tab === 'timeline') void this.loadTimeline();
      this.panel()?.route(this.route);
      if (c.person && mayReviewDuplicates(this.host.user.role)) {
        this.duplicates = new DuplicatesPanel(this.caseId, () => this.render());
        void this.duplicates.load();
      }
    } catch (err) {
      this.error = err instanceof ApiError && err.status === 404 ? t('cases.not_found') : this.host.fail(err);
    }
    this.render();
  }

  private panel(): Panel | null {
    if (!this.c || !this.writable || this.tab === 'overview' || this.tab === 'timeline') return null;
    const ctx: PanelContext = {
      host: this.host,
      caseData: () => this.c!,
      writable: this.writable,
      rerender: (focus) => this.render(focus),
    };
    this.panels[this.tab] ??=
      this.tab === 'screening'
        ? new ScreeningPanel(ctx)
        : this.tab === 'assistance'
          ? new AssistancePanel(ctx)
          : this.tab === 'files'
            ? new AttachmentsPanel(ctx)
            : new ClassificationPanel(ctx);
    return this.panels[this.tab]!;
  }

  private async loadTimeline(): Promise<void> {
    if (!this.writable) return;
    this.timelineError = null;
    try {
      const [hist, notes] = await Promise.all([casesApi.history(this.caseId), casesApi.notes(this.caseId)]);
      this.history = hist.history ?? [];
      this.notes = notes.notes ?? [];
    } catch (err) {
      this.timelineError = this.host.fail(err);
      this.history ??= [];
      this.notes ??= [];
    }
    this.render();
  }

  protected view(): (Node | null)[] {
    const crumbs = h(
      'nav',
      { class: 'breadcrumbs', 'aria-label': t('cases.breadcrumbs') },
      h('a', { href: '#cases' }, t('cases.title')),
    );
    if (!this.c) {
      return [
        h('div', { class: 'page-head' }, crumbs, h('h1', { class: 'page-title', tabindex: '-1' }, t('cases.case'))),
        this.error ? alertBox(this.error, 'case-error') : loading(),
      ];
    }
    return [this.header(crumbs), this.tabs(), h('div', { class: 'tab-body' }, ...this.body())];
  }

  private header(crumbs: HTMLElement): HTMLElement {
    const c = this.c!;
    const name = personName(c);
    return h(
      'header',
      { class: 'case-head' },
      crumbs,
      h(
        'div',
        { class: 'case-head-row' },
        h(
          'div',
          { class: 'case-title-block' },
          h(
            'h1',
            { class: 'page-title case-title', tabindex: '-1' },
            h('span', { class: 'case-ref', 'data-testid': 'case-reference' }, c.reference),
            statusChip(c.status),
          ),
          h(
            'p',
            { class: 'muted' },
            this.full ? name || t('cases.no_name') : t('cases.pseudonymous'),
            ' · ',
            t('cases.opened', { date: formatWhen(c.created_at) }),
          ),
        ),
        this.writable ? h('a', { class: 'btn btn-secondary', href: `#cases/${c.id}/edit` }, t('cases.edit')) : null,
      ),
      c.non_punishment
        ? h(
            'div',
            { class: 'np-banner', role: 'note', 'data-testid': 'non-punishment' },
            h('span', { class: 'np-icon', 'aria-hidden': 'true' }, '!'),
            h('div', null, h('strong', null, t('cases.np.on')), h('p', null, t('cases.np.on_long'))),
          )
        : h('div', { class: 'np-off', 'data-testid': 'non-punishment' }, nonPunishmentChip(false)),
      this.host.user.role === 'law_enforcement'
        ? h('p', { class: 'muted enforcement-note', 'data-testid': 'enforcement-view' }, t('cases.enforcement_view'))
        : null,
    );
  }

  private tabs(): HTMLElement {
    // Everything but the overview is case work: not for analysts, nor for law enforcement.
    const visible = TABS.filter((tab) => tab === 'overview' || this.writable);
    if (visible.length < 2) return h('div', { class: 'tabs tabs-empty' });
    return h(
      'nav',
      { class: 'tabs', 'aria-label': t('cases.tab.label') },
      visible.map((tab) =>
        h(
          'a',
          {
            class: 'tab',
            href: tab === 'overview' ? `#cases/${this.caseId}` : `#cases/${this.caseId}/${tab}`,
            'aria-current': tab === this.tab ? 'page' : null,
          },
          t(`cases.tab.${tab}`),
        ),
      ),
    );
  }

  private body(): (Node | null)[] {
    if (this.tab !== 'overview' && !this.writable) return [h('p', { class: 'empty-state' }, t('errors.forbidden'))];
    if (this.tab === 'timeline') return this.timeline();
    const p = this.panel();
    if (p) return p.view();
    return this.overview();
  }

  // Overview -----------------------------------------------------------------------------------

  private overview(): (Node | null)[] {
    const c = this.c!;
    const pr = c.profile ?? {};
    const codes = (group: string, list?: string[]) =>
      list && list.length ? listFormat(list.map((x) => codeLabel(group, x))) : null;
    const p = c.person;
    const legs = c.legs ?? (c.route_countries ?? []).map((country) => ({ country }));
    const main = h(
      'div',
      { class: 'col-main' },
      p
        ? h(
            'section',
            { class: 'card-box', 'aria-labelledby': 'person-h' },
            h('h2', { id: 'person-h', class: 'section-title' }, t('cases.section.person')),
            facts([
              [t('cases.field.given_name'), p.given_name],
              [t('cases.field.family_name'), p.family_name],
              [t('cases.field.birth_date'), formatDay(p.birth_date)],
              [t('cases.field.document_number'), p.document_number],
              [t('cases.field.contact'), p.contact],
              [t('cases.field.address'), p.address],
            ]),
          )
        : null,
      h(
        'section',
        { class: 'card-box', 'aria-labelledby': 'profile-h' },
        h('h2', { id: 'profile-h', class: 'section-title' }, t('cases.section.profile')),
        facts([
          [t('cases.field.gender'), pr.gender ? codeLabel('gender', pr.gender) : null],
          [t('cases.field.age_band'), pr.age_band ? codeLabel('age_band', pr.age_band) : null],
          [t('cases.field.citizenship'), pr.citizenship ? countryName(pr.citizenship) : null],
          [t('cases.field.country_of_exploitation'), pr.country_of_exploitation ? countryName(pr.country_of_exploitation) : null],
          [t('cases.field.year_of_registration'), pr.year_of_registration ? String(pr.year_of_registration) : null],
          [t('cases.field.traffick_months'), pr.traffick_months ? codeLabel('traffick_months', pr.traffick_months) : null],
          [t('cases.field.exploitation'), codes('exploitation', pr.exploitation)],
          [t('cases.field.means'), codes('means', pr.means)],
          [t('cases.field.labour_sectors'), codes('labour_sectors', pr.labour_sectors)],
          [t('cases.field.sexual_types'), codes('sexual_types', pr.sexual_types)],
          [t('cases.field.recruiter_relations'), codes('recruiter_relations', pr.recruiter_relations)],
        ]),
      ),
      h(
        'section',
        { class: 'card-box', 'aria-labelledby': 'route-h' },
        h('h2', { id: 'route-h', class: 'section-title' }, t('cases.section.route')),
        routeStrip(legs, !!c.legs),
        c.legs && c.legs.length ? this.legTable() : null,
        !c.legs && legs.length ? h('p', { class: 'muted small' }, t('cases.route.pseudonymous')) : null,
      ),
    );
    const side = h(
      'div',
      { class: 'col-side' },
      this.statusCard(),
      this.duplicates?.view() ?? null,
      linkedCasesView(c.linked_cases),
      h(
        'section',
        { class: 'card-box', 'aria-labelledby': 'protection-h' },
        h('h2', { id: 'protection-h', class: 'section-title' }, t('cases.section.protection')),
        facts([
          [t('cases.field.non_punishment'), nonPunishmentChip(c.non_punishment)],
          this.full ? [t('cases.field.assigned_to'), c.assigned_username ?? (c.assigned_to ? `#${c.assigned_to}` : t('cases.form.unassigned'))] : null,
          'immigration_status' in c
            ? [t('cases.field.immigration_status'), c.immigration_status || null]
            : null,
        ].filter(Boolean) as [string, Node | string | null][]),
        'immigration_status' in c ? h('p', { class: 'hint' }, t('cases.form.immigration_hint')) : null,
      ),
    );
    return [h('div', { class: 'two-col' }, main, side)];
  }

  private legTable(): HTMLElement {
    const legs = this.c!.legs!;
    const crossing = (v?: boolean) => (v === undefined ? '—' : v ? t('cases.leg.regular_short') : t('cases.leg.irregular_short'));
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table table-compact' },
        h('caption', { class: 'visually-hidden' }, t('cases.section.route')),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('cases.leg.country')),
            h('th', { scope: 'col' }, t('cases.leg.place')),
            h('th', { scope: 'col' }, t('cases.leg.date_from')),
            h('th', { scope: 'col' }, t('cases.leg.date_to')),
            h('th', { scope: 'col' }, t('cases.leg.transport')),
            h('th', { scope: 'col' }, t('cases.leg.crossing')),
          ),
        ),
        h(
          'tbody',
          null,
          legs.map((l) =>
            h(
              'tr',
              null,
              h('td', null, countryName(l.country)),
              h('td', null, l.place || '—'),
              h('td', { class: 'nowrap' }, formatDay(l.date_from) || '—'),
              h('td', { class: 'nowrap' }, formatDay(l.date_to) || '—'),
              h('td', null, l.transport ? codeLabel('transport', l.transport) : '—'),
              h('td', { class: l.regular_crossing === false ? 'irregular' : null }, crossing(l.regular_crossing)),
            ),
          ),
        ),
      ),
    );
  }

  private statusCard(): HTMLElement {
    const c = this.c!;
    const rank = STATUSES.indexOf(c.status as (typeof STATUSES)[number]);
    const steps = h(
      'ol',
      { class: 'stepper', 'aria-label': t('cases.status.workflow') },
      STATUSES.map((s, i) =>
        h(
          'li',
          { class: `step${i < rank ? ' is-done' : ''}${i === rank ? ' is-current' : ''}`, 'aria-current': i === rank ? 'step' : null },
          statusLabel(s),
        ),
      ),
    );
    const options = nextStatuses(c.status);
    let form: HTMLElement | null = null;
    if (this.writable && options.length) {
      const sel = select(
        options.map((s) => ({ value: s, label: s === 'identified' ? t('cases.status.reopen') : statusLabel(s) })),
        this.nextStatus,
        (v) => {
          this.nextStatus = v;
          this.render();
        },
      );
      sel.id = 'status-next';
      const needsReason = this.nextStatus === 'closed' || c.status === 'closed';
      const reason = textArea(this.reason, (v) => (this.reason = v), 2);
      reason.id = 'status-reason';
      reason.setAttribute('aria-describedby', 'status-reason-hint');
      if (needsReason) reason.required = true;
      form = h(
        'form',
        { class: 'status-form', novalidate: true },
        h('div', { class: 'field' }, h('label', { for: 'status-next' }, t('cases.status.move_to')), sel),
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'status-reason' }, t('cases.status.reason')),
          reason,
          h('p', { class: 'hint', id: 'status-reason-hint' }, needsReason ? t('cases.status.reason_required') : t('cases.status.reason_optional')),
        ),
        alertBox(this.statusError, 'status-error'),
        h('button', { type: 'submit', class: 'btn btn-primary', disabled: this.statusBusy }, t('cases.status.change')),
      );
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        void this.changeStatus();
      });
    }
    return h(
      'section',
      { class: 'card-box', 'aria-labelledby': 'status-h' },
      h('h2', { id: 'status-h', class: 'section-title' }, t('cases.field.status')),
      steps,
      alertBox(
        this.statusChanged ? t('cases.status.changed', { status: statusLabel(this.statusChanged) }) : null,
        'status-notice',
        'info',
      ),
      form,
    );
  }

  private async changeStatus(): Promise<void> {
    const c = this.c!;
    const to = this.nextStatus;
    const reason = this.reason.trim();
    this.statusChanged = null;
    if ((to === 'closed' || c.status === 'closed') && !reason) {
      this.statusError = t('cases.status.reason_required');
      this.render('#status-reason');
      return;
    }
    this.statusBusy = true;
    this.statusError = null;
    this.render();
    try {
      this.c = await casesApi.setStatus(c.id, to, reason);
      this.reason = '';
      this.nextStatus = nextStatuses(this.c.status)[0] ?? '';
      this.statusChanged = this.c.status;
      this.history = null;
    } catch (err) {
      this.statusError = this.host.fail(err);
    }
    this.statusBusy = false;
    this.render(this.statusError ? '#status-next' : undefined);
  }

  // Timeline -----------------------------------------------------------------------------------

  private fieldLabel(field: string): string {
    if (field === 'legs') return t('cases.section.route');
    const name = field.replace(/^(person|profile)\./, '');
    return t(`cases.field.${name}`);
  }

  private value(field: string, v: unknown): string {
    if (v === null || v === undefined || v === '') return '—';
    const name = field.replace(/^(person|profile)\./, '');
    if (field === 'legs' && Array.isArray(v)) {
      return v.length ? v.map((l) => countryName((l as { country: string }).country)).join(arrow()) : '—';
    }
    if (Array.isArray(v)) return v.length ? listFormat(v.map((x) => codeLabel(name, String(x)))) : '—';
    if (COUNTRY_FIELDS.has(name)) return countryName(String(v));
    if (PROFILE_CODE_FIELDS.has(name)) return codeLabel(name, String(v));
    if (field === 'person.birth_date') return formatDay(String(v));
    if (field === 'non_punishment') return v ? t('cases.yes') : t('cases.no');
    if (field === 'assigned_to') {
      const c = this.c!;
      if (v === c.assigned_to && c.assigned_username) return c.assigned_username;
      if (v === this.host.user.id) return this.host.user.username;
      return `#${String(v)}`;
    }
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }

  private events(): TimelineEvent[] {
    const out: TimelineEvent[] = [];
    const changes = new Map<string, TimelineEvent>();
    for (const e of this.history ?? []) {
      if (e.field === 'status') {
        const next = (e.new ?? {}) as { status?: string; reason?: string };
        out.push({
          at: e.at,
          actor: e.actor,
          kind: 'status',
          body: [
            h(
              'p',
              null,
              t('cases.timeline.status', {
                from: statusLabel(String(e.old ?? '')),
                to: statusLabel(next.status ?? ''),
              }),
            ),
            next.reason ? h('p', { class: 'quote' }, next.reason) : '',
          ],
        });
        continue;
      }
      const key = `${e.at}|${e.actor}`;
      let ev = changes.get(key);
      if (!ev) {
        ev = { at: e.at, actor: e.actor, kind: 'change', body: [h('ul', { class: 'changes' })] };
        changes.set(key, ev);
        out.push(ev);
      }
      (ev.body[0] as HTMLElement).append(
        h(
          'li',
          null,
          h('span', { class: 'change-field' }, this.fieldLabel(e.field)),
          ': ',
          e.hidden
            ? h('span', { class: 'muted' }, t('cases.timeline.hidden'))
            : h('span', null, h('del', null, this.value(e.field, e.old)), arrow(), h('ins', null, this.value(e.field, e.new))),
        ),
      );
    }
    for (const n of this.notes ?? []) {
      out.push({ at: n.at ?? '', actor: n.author, kind: 'note', body: [h('p', { class: 'note-text' }, n.text)] });
    }
    out.push({ at: this.c!.created_at, actor: '', kind: 'created', body: [h('p', null, t('cases.timeline.created'))] });
    return out.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  }

  private timeline(): (Node | null)[] {
    const noteInput = textArea(this.noteText, (v) => (this.noteText = v), 3);
    noteInput.id = 'note-text';
    const noteForm = h(
      'form',
      { class: 'card-box note-form', novalidate: true },
      h('h2', { class: 'section-title' }, h('label', { for: 'note-text' }, t('cases.notes.add_title'))),
      noteInput,
      h('p', { class: 'hint' }, t('cases.notes.hint')),
      alertBox(this.noteError, 'note-error'),
      h('div', null, h('button', { type: 'submit', class: 'btn btn-primary', disabled: this.noteBusy }, t('cases.notes.add'))),
    );
    noteForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.addNote();
    });
    if (this.history === null) return [noteForm, loading()];
    const events = this.events();
    return [
      noteForm,
      alertBox(this.timelineError, 'timeline-error'),
      h(
        'section',
        { class: 'card-box', 'aria-labelledby': 'timeline-h' },
        h('h2', { id: 'timeline-h', class: 'section-title' }, t('cases.tab.timeline')),
        h(
          'ol',
          { class: 'timeline' },
          events.map((ev) =>
            h(
              'li',
              { class: `tl-item tl-${ev.kind}` },
              h(
                'div',
                { class: 'tl-meta' },
                h('span', { class: 'tl-kind' }, t(`cases.timeline.kind.${ev.kind}`)),
                ev.actor ? h('span', { class: 'tl-actor' }, ev.actor) : null,
                h('time', { datetime: ev.at }, formatWhen(ev.at)),
              ),
              h('div', { class: 'tl-body' }, ...ev.body),
            ),
          ),
        ),
      ),
    ];
  }

  private async addNote(): Promise<void> {
    const text = this.noteText.trim();
    if (!text) {
      this.noteError = t('errors.required');
      this.render('#note-text');
      return;
    }
    this.noteBusy = true;
    this.noteError = null;
    this.render();
    try {
      await casesApi.addNote(this.caseId, text);
      this.noteText = '';
      this.noteBusy = false;
      await this.loadTimeline();
      return;
    } catch (err) {
      this.noteError = this.host.fail(err);
    }
    this.noteBusy = false;
    this.render('#note-text');
  }
}
