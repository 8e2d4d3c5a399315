// Screening a case against an indicator catalogue: choose a catalogue, then one element at a
// time, each indicator answered yes / no / unknown / not asked with an optional source and note.
// Every answer is saved as it is given (one PATCH per change, in order), so a screening can be
// left and resumed: it reopens at the first element with unanswered indicators. The evaluation
// panel shows each element present / absent / undetermined with the indicators that drove it.
import { ApiError } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import type { Route } from '../page';
import { alertBox } from '../views/common';
import {
  casesApi,
  type AnswerCode,
  type AnswerEntry,
  type Catalogue,
  type CatalogueIndicator,
  type Evaluation,
  type Screening,
} from './api';
import type { Panel, PanelContext } from './case';
import { formatWhen, pick } from './ref';
import { chip, loading, segmented, select } from './ui';

const ANSWERS: AnswerCode[] = ['yes', 'no', 'unknown', 'not_asked'];
const SOURCES = ['interview', 'document', 'observation', 'third_party'];

type Step = number | 'review';

export class ScreeningPanel implements Panel {
  private catalogues: Catalogue[] | null = null;
  private screenings: Screening[] | null = null;
  private unavailable = false;
  private error: string | null = null;
  private sid: number | null = null;
  private step: Step | null = null;
  private chosen = '';
  private starting = false;
  private saving = 0;
  private saveError: string | null = null;
  private savedAt: Date | null = null;
  private queue: Promise<void> = Promise.resolve();
  /** Source and note as typed, before they are saved (on change): kept across rebuilds. */
  private drafts = new Map<string, { source: string; note: string }>();

  constructor(private readonly ctx: PanelContext) {
    void this.load();
  }

  private get caseId(): number {
    return this.ctx.caseData().id;
  }

  private get current(): Screening | null {
    return this.screenings?.find((s) => s.id === this.sid) ?? null;
  }

  private catalogue(id: string | undefined): Catalogue | null {
    return this.catalogues?.find((c) => c.id === id) ?? null;
  }

  route(r: Route): string | undefined {
    const before = `${this.sid}|${this.step}`;
    const sid = r.path[3] ? Number(r.path[3]) : null;
    this.sid = sid && Number.isInteger(sid) ? sid : null;
    const step = r.query.get('step');
    this.step = step === 'review' ? 'review' : step !== null && /^\d+$/.test(step) ? Number(step) : null;
    if (before === `${this.sid}|${this.step}`) return undefined;
    return this.sid === null ? 'h2' : '#element-title';
  }

  private async load(): Promise<void> {
    try {
      const [cats, list] = await Promise.all([casesApi.catalogues(), casesApi.screenings(this.caseId)]);
      this.catalogues = cats.catalogues ?? [];
      this.screenings = list.screenings ?? [];
      this.chosen ||= this.catalogues[0]?.id ?? '';
    } catch (err) {
      // Before the server has screening, these endpoints do not exist.
      if (err instanceof ApiError && (err.status === 404 || err.status === 405)) {
        this.unavailable = true;
      } else {
        this.error = this.ctx.host.fail(err);
      }
    }
    this.ctx.rerender();
  }

  view(): (Node | null)[] {
    if (this.unavailable) return [h('p', { class: 'empty-state' }, t('screening.unavailable'))];
    if (this.error) return [alertBox(this.error, 'screening-error')];
    if (!this.catalogues || !this.screenings) return [loading()];
    const s = this.current;
    if (this.sid !== null && !s) return [alertBox(t('screening.not_found'), 'screening-error'), this.backLink()];
    return s ? this.wizard(s) : this.overview();
  }

  private backLink(): HTMLElement {
    return h('a', { class: 'back-link', href: `#cases/${this.caseId}/screening` }, t('screening.all'));
  }

  // The list of screenings and the start form ---------------------------------------------------

  private overview(): (Node | null)[] {
    const list = this.screenings!;
    const rows = list.map((s) => {
      const cat = this.catalogue(s.catalogue);
      const outcome = s.evaluation?.outcome;
      return h(
        'li',
        { class: 'screening-item' },
        h(
          'div',
          { class: 'screening-item-main' },
          h('a', { href: `#cases/${this.caseId}/screening/${s.id}`, class: 'screening-link' }, cat ? pick(cat.title) : s.catalogue),
          h(
            'p',
            { class: 'muted small' },
            t('screening.version', { version: s.version }),
            s.updated_at ? ` · ${t('screening.updated', { when: formatWhen(s.updated_at), who: s.updated_by ?? '' })}` : '',
          ),
        ),
        h(
          'div',
          { class: 'screening-item-side' },
          chip(t(`screening.state.${s.status}`), s.status === 'complete' ? 'done' : 'progress'),
          outcome ? chip(t(`screening.outcome.${outcome}`), `outcome-${outcome}`) : null,
        ),
      );
    });
    let start: HTMLElement | null = null;
    if (this.ctx.writable && this.catalogues!.length) {
      const sel = select(
        this.catalogues!.map((c) => ({ value: c.id, label: pick(c.title) })),
        this.chosen,
        (v) => (this.chosen = v),
      );
      sel.id = 'screening-catalogue';
      sel.setAttribute('aria-describedby', 'screening-catalogue-hint');
      start = h(
        'form',
        { class: 'card-box start-form' },
        h('h2', { class: 'section-title' }, t('screening.start_title')),
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'screening-catalogue' }, t('screening.catalogue')),
          sel,
          h('p', { class: 'hint', id: 'screening-catalogue-hint' }, t('screening.catalogue_hint')),
        ),
        h('div', null, h('button', { type: 'submit', class: 'btn btn-primary', disabled: this.starting }, t('screening.start'))),
      );
      start.addEventListener('submit', (e) => {
        e.preventDefault();
        void this.start();
      });
    }
    const existing = h(
      'section',
      { class: 'card-box', 'aria-labelledby': 'screenings-h' },
      h('h2', { id: 'screenings-h', class: 'section-title' }, t('screening.list_title')),
      rows.length ? h('ul', { class: 'screening-list' }, rows) : h('p', { class: 'muted' }, t('screening.none')),
    );
    return rows.length ? [existing, start] : [start, existing];
  }

  private async start(): Promise<void> {
    if (!this.chosen) return;
    this.starting = true;
    this.ctx.rerender();
    try {
      const s = await casesApi.startScreening(this.caseId, this.chosen);
      this.screenings = [s, ...(this.screenings ?? [])];
      this.starting = false;
      this.ctx.host.navigate(`#cases/${this.caseId}/screening/${s.id}`);
    } catch (err) {
      this.starting = false;
      this.error = this.ctx.host.fail(err);
      this.ctx.rerender();
    }
  }

  // The wizard --------------------------------------------------------------------------------

  /**
   * Where a screening resumes: the last element answered so far, or the one after it when
   * that one is finished; the review once every indicator has an answer.
   */
  private resumeStep(s: Screening, cat: Catalogue): Step {
    if (s.status === 'complete') return 'review';
    const answered = (x: CatalogueIndicator) => !!s.answers[x.id] && s.answers[x.id].answer !== 'not_asked';
    const of = (i: number) => cat.indicators.filter((x) => x.element === cat.elements[i].id);
    if (cat.indicators.every(answered)) return 'review';
    let last = -1;
    cat.elements.forEach((_, i) => {
      if (of(i).some(answered)) last = i;
    });
    if (last < 0) return 0;
    if (of(last).every(answered)) return last + 1 < cat.elements.length ? last + 1 : 'review';
    return last;
  }

  private stepHash(step: Step): string {
    return `#cases/${this.caseId}/screening/${this.sid}?step=${step}`;
  }

  private wizard(s: Screening): (Node | null)[] {
    const cat = this.catalogue(s.catalogue);
    if (!cat) return [alertBox(t('screening.catalogue_missing', { id: s.catalogue }), 'screening-error'), this.backLink()];
    let step: Step = this.step ?? this.resumeStep(s, cat);
    if (typeof step === 'number' && (step < 0 || step >= cat.elements.length)) step = 'review';
    const readOnly = !this.ctx.writable || s.status === 'complete';
    const ev = s.evaluation;
    const status = h(
      'p',
      { class: 'save-status', role: 'status', 'aria-live': 'polite' },
      this.saving
        ? t('screening.saving')
        : this.saveError
          ? ''
          : this.savedAt
            ? t('screening.saved', { time: formatWhen(this.savedAt.toISOString()) })
            : '',
    );
    const head = h(
      'div',
      { class: 'wizard-head' },
      this.backLink(),
      h(
        'div',
        { class: 'wizard-title-row' },
        h('h2', { class: 'wizard-title' }, pick(cat.title)),
        chip(t(`screening.state.${s.status}`), s.status === 'complete' ? 'done' : 'progress'),
      ),
      status,
      alertBox(this.saveError, 'save-error'),
    );
    const stepper = h(
      'ol',
      { class: 'element-steps', 'aria-label': t('screening.elements') },
      cat.elements.map((e, i) => {
        const inds = cat.indicators.filter((x) => x.element === e.id);
        const answered = inds.filter((x) => s.answers[x.id] && s.answers[x.id].answer !== 'not_asked').length;
        const est = ev?.elements.find((x) => x.id === e.id)?.status;
        return h(
          'li',
          null,
          h(
            'a',
            {
              href: this.stepHash(i),
              class: `element-step${step === i ? ' is-current' : ''}`,
              'aria-current': step === i ? 'step' : null,
            },
            h('span', { class: 'step-num' }, String(i + 1)),
            h('span', { class: 'step-label' }, pick(e.label)),
            h('span', { class: 'step-meta' }, `${answered}/${inds.length}`),
            est && est !== 'not_assessed' ? h('span', { class: `dot dot-${est}`, title: t(`screening.element.${est}`) }, h('span', { class: 'visually-hidden' }, t(`screening.element.${est}`))) : null,
          ),
        );
      }),
      h(
        'li',
        null,
        h(
          'a',
          { href: this.stepHash('review'), class: `element-step step-review${step === 'review' ? ' is-current' : ''}`, 'aria-current': step === 'review' ? 'step' : null },
          h('span', { class: 'step-num' }, '✓'),
          h('span', { class: 'step-label' }, t('screening.review')),
        ),
      ),
    );
    const main = step === 'review' ? this.review(s, cat, readOnly) : this.elementStep(s, cat, step, readOnly);
    return [
      head,
      h('nav', { class: 'wizard-nav', 'aria-label': t('screening.elements') }, stepper),
      h(
        'div',
        { class: `wizard${step === 'review' ? ' wizard-review' : ''}` },
        h('div', { class: 'wizard-main' }, main),
        step === 'review' ? null : h('aside', { class: 'wizard-side', 'aria-labelledby': 'eval-h' }, this.evaluationPanel(ev, cat, true)),
      ),
    ];
  }

  private elementStep(s: Screening, cat: Catalogue, i: number, readOnly: boolean): HTMLElement {
    const el = cat.elements[i];
    const inds = cat.indicators.filter((x) => x.element === el.id);
    const last = i === cat.elements.length - 1;
    return h(
      'section',
      { class: 'card-box element-card', 'aria-labelledby': 'element-title' },
      h('p', { class: 'eyebrow' }, t('screening.step', { n: i + 1, total: cat.elements.length })),
      h('h3', { id: 'element-title', class: 'element-title', tabindex: '-1' }, pick(el.label)),
      h('p', { class: 'muted small' }, readOnly ? t('screening.read_only') : t('screening.element_intro')),
      h('datalist', { id: 'source-suggestions' }, SOURCES.map((x) => h('option', { value: t(`screening.source.${x}`) }))),
      h('ol', { class: 'indicators' }, inds.map((ind) => this.indicator(s, ind, readOnly))),
      h(
        'div',
        { class: 'wizard-buttons' },
        i > 0 ? h('a', { class: 'btn btn-secondary', href: this.stepHash(i - 1) }, t('screening.previous')) : h('span'),
        h('a', { class: 'btn btn-primary', href: this.stepHash(last ? 'review' : i + 1) }, last ? t('screening.to_review') : t('screening.next')),
      ),
    );
  }

  private indicator(s: Screening, ind: CatalogueIndicator, readOnly: boolean): HTMLElement {
    const entry = s.answers[ind.id];
    const value = entry?.answer ?? 'not_asked';
    const key = ind.id.replace(/[^A-Za-z0-9_-]/g, '_');
    const legend = h(
      'span',
      { class: 'indicator-text' },
      ind.strength && ind.strength !== 'none'
        ? h('span', { class: `strength strength-${ind.strength}` }, t(`screening.strength.${ind.strength}`))
        : null,
      h('span', null, pick(ind.text)),
    );
    const answers = segmented(
      `a-${key}`,
      legend,
      ANSWERS.map((a) => ({ value: a, label: t(`screening.answer.${a}`) })),
      value,
      (v) => {
        const d = this.drafts.get(ind.id);
        const base = s.answers[ind.id] ?? {};
        this.answer(ind.id, {
          answer: v as AnswerCode,
          source: d ? d.source.trim() : base.source,
          note: d ? d.note.trim() : base.note,
        });
      },
      { disabled: readOnly, extraClass: 'answers' },
    );
    const draft = this.drafts.get(ind.id) ?? { source: entry?.source ?? '', note: entry?.note ?? '' };
    const source = h('input', { type: 'text', id: `src-${key}`, list: 'source-suggestions', value: draft.source, disabled: readOnly, maxlength: 200 });
    const note = h('textarea', { id: `note-${key}`, rows: 2, disabled: readOnly, maxlength: 2000 });
    note.value = draft.note;
    const keep = () => this.drafts.set(ind.id, { source: source.value, note: note.value });
    const saveDetail = () => {
      const cur = this.current?.answers[ind.id];
      const next: AnswerEntry = { answer: cur?.answer ?? 'not_asked' };
      if (source.value.trim()) next.source = source.value.trim();
      if (note.value.trim()) next.note = note.value.trim();
      if ((cur?.source ?? '') === (next.source ?? '') && (cur?.note ?? '') === (next.note ?? '')) return;
      this.answer(ind.id, next, true);
    };
    source.addEventListener('input', keep);
    note.addEventListener('input', keep);
    source.addEventListener('change', saveDetail);
    note.addEventListener('change', saveDetail);
    const hasDetail = !!(entry?.source || entry?.note || this.drafts.has(ind.id));
    return h(
      'li',
      { class: `indicator answer-${value}`, 'data-indicator': ind.id },
      answers,
      readOnly && !hasDetail
        ? null
        : h(
            'details',
            { class: 'indicator-detail', open: hasDetail },
            h('summary', null, hasDetail ? t('screening.detail_recorded') : t('screening.add_detail')),
            h(
              'div',
              { class: 'grid-2' },
              h('div', { class: 'field' }, h('label', { for: source.id }, t('screening.source_label')), source),
              h('div', { class: 'field' }, h('label', { for: note.id }, t('screening.note_label')), note),
            ),
          ),
    );
  }

  /** Records one answer locally and saves it; saves run one after another, in order. */
  private answer(id: string, entry: AnswerEntry, quiet = false): void {
    const s = this.current;
    if (!s) return;
    const clean: AnswerEntry = { answer: entry.answer };
    if (entry.source) clean.source = entry.source;
    if (entry.note) clean.note = entry.note;
    s.answers = { ...s.answers, [id]: clean };
    const draft = this.drafts.get(id);
    if (draft && draft.source.trim() === (clean.source ?? '') && draft.note.trim() === (clean.note ?? '')) this.drafts.delete(id);
    this.saving++;
    this.saveError = null;
    // A source or note is saved as focus leaves it: rebuilding now would pull the page from
    // under the click that moved the focus. The rebuild after the save keeps drafts and focus.
    if (quiet) this.showSaving();
    else this.ctx.rerender();
    const sid = s.id;
    this.queue = this.queue.then(async () => {
      try {
        const saved = await casesApi.saveScreening(this.caseId, sid, { [id]: clean });
        this.merge(saved);
        this.savedAt = new Date();
      } catch (err) {
        this.saveError = `${t('screening.save_failed')} ${this.ctx.host.fail(err)}`;
      }
      this.saving--;
      this.ctx.rerender();
    });
  }

  private showSaving(): void {
    const status = document.querySelector('.save-status');
    if (status) status.textContent = t('screening.saving');
  }

  /** Takes the server's screening, keeping answers given since (they are still being saved). */
  private merge(saved: Screening): void {
    const list = this.screenings ?? [];
    const i = list.findIndex((x) => x.id === saved.id);
    if (i < 0) return;
    const local = list[i].answers;
    list[i] = this.saving > 1 ? { ...saved, answers: { ...saved.answers, ...local } } : saved;
  }

  private review(s: Screening, cat: Catalogue, readOnly: boolean): HTMLElement {
    const unanswered = cat.indicators.filter((x) => !s.answers[x.id] || s.answers[x.id].answer === 'not_asked').length;
    return h(
      'section',
      { class: 'card-box review', 'aria-labelledby': 'element-title' },
      h('h3', { id: 'element-title', class: 'element-title', tabindex: '-1' }, t('screening.review')),
      this.evaluationPanel(s.evaluation, cat, false),
      !readOnly
        ? h(
            'div',
            { class: 'complete-box' },
            h('p', { class: 'muted small' }, unanswered ? t('screening.unanswered', { n: unanswered }) : t('screening.all_answered')),
            h(
              'button',
              { type: 'button', class: 'btn btn-primary', disabled: this.saving > 0, onclick: () => void this.complete() },
              t('screening.complete'),
            ),
          )
        : null,
    );
  }

  private async complete(): Promise<void> {
    const s = this.current;
    if (!s) return;
    this.saving++;
    this.ctx.rerender();
    await this.queue;
    try {
      const saved = await casesApi.saveScreening(this.caseId, s.id, {}, true);
      this.merge(saved);
      this.savedAt = new Date();
    } catch (err) {
      this.saveError = `${t('screening.save_failed')} ${this.ctx.host.fail(err)}`;
    }
    this.saving--;
    this.ctx.rerender();
  }

  // The evaluation ------------------------------------------------------------------------------

  private evaluationPanel(ev: Evaluation | undefined, cat: Catalogue, compact: boolean): HTMLElement {
    if (!ev) return h('p', { class: 'muted' }, t('screening.no_evaluation'));
    const text = (id: string) => cat.indicators.find((x) => x.id === id);
    const ruleLabel = (id: string) => {
      const rule = cat.victim_rule?.rules?.find((r) => r.id === id);
      if (rule) return pick(rule.label);
      // The catalogue list does not carry rule labels (yet): name the element the rule is "via".
      const via = cat.elements.find((e) => id === `via_${e.id}`);
      return via ? t('screening.rule_via', { element: pick(via.label) }) : id.replace(/_/g, ' ');
    };
    const outcome = h(
      'div',
      { class: `outcome outcome-${ev.outcome}`, 'data-testid': 'screening-outcome', 'data-outcome': ev.outcome },
      h('p', { class: 'outcome-kicker' }, t('screening.outcome_label')),
      h('p', { class: 'outcome-title' }, t(`screening.outcome.${ev.outcome}`)),
      h('p', { class: 'outcome-text' }, t(`screening.outcome_text.${ev.outcome}`)),
      ev.fired && ev.fired.length
        ? h('p', { class: 'outcome-rules' }, t('screening.fired', { rules: ev.fired.map(ruleLabel).join('; ') }))
        : null,
      ev.outcome === 'undetermined' && ev.possible && ev.possible.length
        ? h('p', { class: 'outcome-rules' }, t('screening.possible', { rules: ev.possible.map(ruleLabel).join('; ') }))
        : null,
      ev.applies_to ? h('p', { class: 'outcome-rules' }, t(`screening.applies_to.${ev.applies_to}`)) : null,
    );
    const elements = h(
      'ul',
      { class: 'eval-elements' },
      ev.elements.map((e) => {
        const el = cat.elements.find((x) => x.id === e.id);
        const drivers = e.drivers.map(text).filter(Boolean) as CatalogueIndicator[];
        return h(
          'li',
          { class: `eval-element eval-${e.status}`, 'data-element': e.id },
          h(
            'div',
            { class: 'eval-row' },
            h('span', { class: 'eval-label' }, el ? pick(el.label) : e.id),
            chip(t(`screening.element.${e.status}`), `el-${e.status}`),
          ),
          h(
            'p',
            { class: 'eval-tally' },
            t('screening.tally', { yes: e.tally.yes, no: e.tally.no, unknown: e.tally.unknown, not_asked: e.tally.not_asked }),
          ),
          drivers.length
            ? h(
                'div',
                { class: 'drivers' },
                h('p', { class: 'drivers-title' }, t('screening.drivers')),
                h(
                  'ul',
                  null,
                  drivers.map((d) =>
                    h(
                      'li',
                      null,
                      d.strength && d.strength !== 'none' ? h('span', { class: `strength strength-${d.strength}` }, t(`screening.strength.${d.strength}`)) : null,
                      ' ',
                      compact ? shorten(pick(d.text)) : pick(d.text),
                    ),
                  ),
                ),
              )
            : null,
          e.status === 'undetermined' && e.open.length
            ? h('p', { class: 'eval-open' }, t('screening.open', { n: e.open.length }))
            : null,
        );
      }),
    );
    return h(
      'div',
      { class: `evaluation${compact ? ' evaluation-compact' : ''}` },
      h('h3', { id: 'eval-h', class: 'eval-title' }, t('screening.evaluation')),
      outcome,
      elements,
    );
  }
}

function shorten(s: string): string {
  return s.length > 90 ? `${s.slice(0, 88)}…` : s;
}
