// The legal-classification panel: the facts of the case under the Palermo Protocols, grouped
// (acts, means, purposes, age, consent, border and entry), each yes / no / unknown with a note;
// and the rule engine's result: each element met / not met / unknown with the evidence that
// decided it, the outcome explained in the UI language, notes, and what is still to establish.
import { ApiError } from '../api';
import { h } from '../dom';
import { has, t } from '../i18n';
import type { Route } from '../page';
import { alertBox } from '../views/common';
import { casesApi, type Classification, type FactInfo, type Facts, type FactValue, type LegalResult, type RuleSetInfo } from './api';
import type { Panel, PanelContext } from './case';
import { codeLabel, formatWhen, listFormat, pick } from './ref';
import { chip, idFor, loading, pointerFor, segmented, textInput } from './ui';

type Flag = 'yes' | 'no' | 'unknown';
type AgeMode = 'unknown' | 'child' | 'adult' | 'exact' | 'range';

interface FlagModel {
  value: Flag;
  note: string;
  source: string;
}
interface AgeModel {
  mode: AgeMode;
  years: string;
  min: string;
  max: string;
  note: string;
  source: string;
}

const GROUPS = ['acts', 'means', 'purposes', 'age', 'consent', 'border', 'other'] as const;
type Group = (typeof GROUPS)[number];
const BORDER = new Set([
  'crossed_border',
  'entry_irregular',
  'benefit_to_facilitator',
  'control_after_arrival',
  'national_or_resident_of_destination',
]);

function groupOf(f: FactInfo): Group {
  if (f.kind === 'age') return 'age';
  if (f.name.startsWith('act_')) return 'acts';
  if (f.name.startsWith('means_')) return 'means';
  if (f.name.startsWith('purpose_')) return 'purposes';
  if (f.name.startsWith('consent')) return 'consent';
  if (BORDER.has(f.name)) return 'border';
  return 'other';
}

/** The CTDC age band of the profile as an age range ("30-38", "48+"). */
function bandRange(band: string | undefined): { min: number; max?: number } | null {
  const m = band ? /^(\d+)(?:-(\d+)|\+)$/.exec(band) : null;
  if (!m) return null;
  return m[2] ? { min: Number(m[1]), max: Number(m[2]) } : { min: Number(m[1]) };
}

export class ClassificationPanel implements Panel {
  private ruleSet: RuleSetInfo | null = null;
  private saved: Classification | null = null;
  private loaded = false;
  private unavailable = false;
  private error: string | null = null;
  private fieldError: { pointer: string; message: string } | null = null;
  private busy = false;
  private flags: Record<string, FlagModel> = {};
  private age: AgeModel = { mode: 'unknown', years: '', min: '', max: '', note: '', source: '' };
  private justSaved = false;

  constructor(private readonly ctx: PanelContext) {
    void this.load();
  }

  route(_r: Route): string | undefined {
    return undefined;
  }

  private get caseId(): number {
    return this.ctx.caseData().id;
  }

  private async load(): Promise<void> {
    try {
      const sets = await casesApi.ruleSets();
      // The newest version: the one a new classification is decided under.
      this.ruleSet = [...(sets.rule_sets ?? [])].sort((a, b) => b.version - a.version)[0] ?? null;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 405)) this.unavailable = true;
      else this.error = this.ctx.host.fail(err);
      this.ctx.rerender();
      return;
    }
    try {
      this.saved = await casesApi.classification(this.caseId);
    } catch (err) {
      // 404: no classification yet.
      if (!(err instanceof ApiError && err.status === 404)) this.error = this.ctx.host.fail(err);
    }
    this.fromFacts(this.saved?.facts ?? {});
    this.loaded = true;
    this.ctx.rerender();
  }

  private fromFacts(facts: Facts): void {
    this.flags = {};
    for (const f of this.ruleSet?.facts ?? []) {
      const v: FactValue = facts[f.name] ?? {};
      if (f.kind === 'flag') {
        this.flags[f.name] = {
          value: v.value === true ? 'yes' : v.value === false ? 'no' : 'unknown',
          note: v.note ?? '',
          source: v.source ?? '',
        };
      } else {
        const a: AgeModel = { mode: 'unknown', years: '', min: '', max: '', note: v.note ?? '', source: v.source ?? '' };
        if (typeof v.value === 'number') {
          a.mode = 'exact';
          a.years = String(v.value);
        } else if (v.band) {
          const { min, max } = v.band;
          if (min === 0 && max === 17) a.mode = 'child';
          else if (min === 18 && max === undefined) a.mode = 'adult';
          else {
            a.mode = 'range';
            a.min = String(min);
            a.max = max === undefined ? '' : String(max);
          }
        }
        this.age = a;
      }
    }
  }

  private toFacts(): Facts {
    const out: Facts = {};
    for (const [name, f] of Object.entries(this.flags)) {
      if (f.value === 'unknown' && !f.note.trim() && !f.source.trim()) continue;
      const v: FactValue = { value: f.value === 'unknown' ? 'unknown' : f.value === 'yes' };
      if (f.note.trim()) v.note = f.note.trim();
      if (f.source.trim()) v.source = f.source.trim();
      out[name] = v;
    }
    const ageFact = this.ruleSet?.facts.find((f) => f.kind === 'age');
    if (ageFact) {
      const a = this.age;
      const v: FactValue = {};
      if (a.mode === 'child') v.band = { min: 0, max: 17 };
      else if (a.mode === 'adult') v.band = { min: 18 };
      else if (a.mode === 'exact' && a.years !== '') v.value = Number(a.years);
      else if (a.mode === 'range' && a.min !== '') v.band = a.max !== '' ? { min: Number(a.min), max: Number(a.max) } : { min: Number(a.min) };
      else v.value = 'unknown';
      if (a.note.trim()) v.note = a.note.trim();
      if (a.source.trim()) v.source = a.source.trim();
      if (v.value !== 'unknown' || v.note || v.source) out[ageFact.name] = v;
    }
    return out;
  }

  view(): (Node | null)[] {
    if (this.unavailable) return [h('p', { class: 'empty-state' }, t('legal.unavailable'))];
    if (!this.loaded) return [this.error ? alertBox(this.error, 'legal-error') : loading()];
    if (!this.ruleSet) return [h('p', { class: 'empty-state' }, t('legal.no_rule_set'))];
    return [
      h(
        'div',
        { class: 'legal' },
        h('div', { class: 'legal-facts' }, this.form()),
        h('aside', { class: 'legal-result', 'aria-labelledby': 'legal-result-h' }, this.result()),
      ),
    ];
  }

  private factLabel(name: string): string {
    const f = this.ruleSet?.facts.find((x) => x.name === name);
    const label = f ? pick(f.label) : '';
    return label || name.replace(/_/g, ' ');
  }

  // The facts form ------------------------------------------------------------------------------

  private form(): HTMLElement {
    const readOnly = !this.ctx.writable;
    const byGroup = new Map<Group, FactInfo[]>();
    for (const f of this.ruleSet!.facts) {
      const g = groupOf(f);
      byGroup.set(g, [...(byGroup.get(g) ?? []), f]);
    }
    const form = h(
      'form',
      { class: 'card-box facts-form', novalidate: true, 'aria-labelledby': 'legal-facts-h' },
      h('h2', { id: 'legal-facts-h', class: 'section-title' }, t('legal.facts_title')),
      h('p', { class: 'muted small' }, readOnly ? t('legal.read_only') : t('legal.facts_intro')),
      alertBox(this.error, 'legal-error'),
      GROUPS.filter((g) => byGroup.has(g)).map((g) =>
        h(
          'fieldset',
          { class: `fact-group fact-group-${g}` },
          h('legend', null, t(`legal.group.${g}`)),
          h('p', { class: 'hint' }, t(`legal.group_hint.${g}`)),
          byGroup.get(g)!.map((f) => (f.kind === 'age' ? this.ageRow(f, readOnly) : this.flagRow(f, readOnly))),
        ),
      ),
      readOnly
        ? null
        : h(
            'div',
            { class: 'form-actions' },
            h('button', { type: 'submit', class: 'btn btn-primary', disabled: this.busy }, this.busy ? t('legal.classifying') : t('legal.classify')),
            this.justSaved ? h('span', { class: 'saved-note', role: 'status' }, t('legal.saved')) : null,
          ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    return form;
  }

  private errorAt(pointer: string): HTMLElement | null {
    return this.fieldError && this.fieldError.pointer === pointer
      ? h('p', { class: 'field-error', id: `${idFor(pointer)}-error` }, this.fieldError.message)
      : null;
  }

  private flagRow(f: FactInfo, readOnly: boolean): HTMLElement {
    const m = (this.flags[f.name] ??= { value: 'unknown', note: '', source: '' });
    const pointer = `/facts/${f.name}`;
    const note = textInput(m.note, (v) => (m.note = v), {
      id: `${idFor(pointer)}-note`,
      placeholder: t('legal.note_placeholder'),
      'aria-label': t('legal.note_for', { fact: this.factLabel(f.name) }),
      disabled: readOnly,
      maxlength: 4000,
    });
    // The evidence field shows once a fact is answered (or already has a note).
    const showNote = m.value !== 'unknown' || !!m.note || !!m.source;
    return h(
      'div',
      { class: `fact-row fact-${m.value}`, id: idFor(pointer), tabindex: '-1', 'data-fact': f.name },
      segmented(
        `fact-${f.name}`,
        h('span', { class: 'fact-label' }, this.factLabel(f.name)),
        (['yes', 'no', 'unknown'] as const).map((v) => ({ value: v, label: t(`legal.value.${v}`) })),
        m.value,
        (v) => {
          m.value = v as Flag;
          this.justSaved = false;
          this.ctx.rerender();
          // Keep the focus on the chosen answer, not on the new evidence field.
          (document.getElementById(`fact-${f.name}-${v}`) as HTMLElement | null)?.focus();
        },
        { disabled: readOnly, extraClass: 'fact-values' },
      ),
      showNote && (!readOnly || m.note) ? note : null,
      this.errorAt(pointer),
    );
  }

  private ageRow(f: FactInfo, readOnly: boolean): HTMLElement {
    const a = this.age;
    const pointer = `/facts/${f.name}`;
    const modes: AgeMode[] = ['unknown', 'child', 'adult', 'exact', 'range'];
    const num = (value: string, set: (v: string) => void, id: string, label: string) =>
      h(
        'div',
        { class: 'field field-num' },
        h('label', { for: id }, label),
        textInput(value, set, { id, type: 'number', min: 0, max: 130, inputmode: 'numeric', disabled: readOnly }),
      );
    const band = bandRange(this.ctx.caseData().profile?.age_band);
    return h(
      'div',
      { class: 'fact-row fact-age', id: idFor(pointer), tabindex: '-1', 'data-fact': f.name },
      segmented(
        `fact-${f.name}`,
        h('span', { class: 'fact-label' }, this.factLabel(f.name)),
        modes.map((m) => ({ value: m, label: t(`legal.age.${m}`) })),
        a.mode,
        (v) => {
          a.mode = v as AgeMode;
          this.justSaved = false;
          this.ctx.rerender(v === 'exact' ? '#age-years' : v === 'range' ? '#age-min' : undefined);
        },
        { disabled: readOnly, extraClass: 'fact-values age-modes' },
      ),
      a.mode === 'exact' ? h('div', { class: 'age-inputs' }, num(a.years, (v) => (a.years = v), 'age-years', t('legal.age.years'))) : null,
      a.mode === 'range'
        ? h(
            'div',
            { class: 'age-inputs' },
            num(a.min, (v) => (a.min = v), 'age-min', t('legal.age.min')),
            num(a.max, (v) => (a.max = v), 'age-max', t('legal.age.max')),
          )
        : null,
      !readOnly && a.mode === 'unknown' && band
        ? h(
            'button',
            {
              type: 'button',
              class: 'btn btn-small',
              onclick: () => {
                a.mode = 'range';
                a.min = String(band.min);
                a.max = band.max === undefined ? '' : String(band.max);
                this.justSaved = false;
                this.ctx.rerender('#age-min');
              },
            },
            t('legal.age.use_profile', { band: codeLabel('age_band', this.ctx.caseData().profile.age_band ?? '') }),
          )
        : null,
      textInput(a.note, (v) => (a.note = v), {
        id: `${idFor(pointer)}-note`,
        placeholder: t('legal.note_placeholder'),
        'aria-label': t('legal.note_for', { fact: this.factLabel(f.name) }),
        disabled: readOnly,
        maxlength: 4000,
      }),
      this.errorAt(pointer),
    );
  }

  private async submit(): Promise<void> {
    if (this.busy) return;
    const a = this.age;
    const bad =
      (a.mode === 'exact' && (a.years === '' || Number(a.years) < 0 || Number(a.years) > 130)) ||
      (a.mode === 'range' && (a.min === '' || (a.max !== '' && Number(a.max) < Number(a.min))));
    const ageFact = this.ruleSet?.facts.find((f) => f.kind === 'age');
    if (bad && ageFact) {
      this.fieldError = { pointer: `/facts/${ageFact.name}`, message: t('legal.age.invalid') };
      this.ctx.rerender(a.mode === 'exact' ? '#age-years' : '#age-min');
      return;
    }
    this.busy = true;
    this.error = null;
    this.fieldError = null;
    this.justSaved = false;
    this.ctx.rerender();
    try {
      this.saved = await casesApi.classify(this.caseId, this.toFacts());
      this.fromFacts(this.saved.facts ?? {});
      this.justSaved = true;
      this.busy = false;
      this.ctx.rerender('#legal-result-h');
      return;
    } catch (err) {
      const message = this.ctx.host.fail(err);
      if (message) {
        const names = (this.ruleSet?.facts ?? []).map((f) => `/facts/${f.name}`);
        const at = err instanceof ApiError ? pointerFor(err.field, names) : '';
        if (at) this.fieldError = { pointer: at, message };
        else this.error = `${t('legal.failed')} ${message}`;
      }
    }
    this.busy = false;
    this.ctx.rerender(this.fieldError ? `#${idFor(this.fieldError.pointer)}` : undefined);
  }

  // The result ----------------------------------------------------------------------------------

  private outcomeName(id: string): string {
    const key = `legal.outcome.${id}`;
    return has(key) ? t(key) : id.replace(/_/g, ' ');
  }

  private result(): (Node | null)[] {
    const heading = h('h2', { id: 'legal-result-h', class: 'section-title', tabindex: '-1' }, t('legal.result_title'));
    const c = this.saved;
    if (!c) return [h('section', { class: 'card-box' }, heading, h('p', { class: 'muted' }, t('legal.none_yet')))];
    const r: LegalResult = c.result;
    const elementLabel = new Map(r.elements.map((e) => [e.id, pick(e.label)]));
    const nameOf = (id: string) => elementLabel.get(id) ?? this.factLabel(id);
    const valueText = (v: FactValue) => {
      if (v.value === true) return t('legal.value.yes');
      if (v.value === false) return t('legal.value.no');
      if (typeof v.value === 'number') return t('legal.age.years_n', { n: v.value });
      if (v.band) return v.band.max === undefined ? t('legal.age.from_n', { n: v.band.min }) : t('legal.age.range_n', { min: v.band.min, max: v.band.max });
      return t('legal.value.unknown');
    };
    return [
      h(
        'section',
        { class: 'card-box result-box' },
        heading,
        h(
          'div',
          { class: `outcome legal-outcome legal-${r.outcome}${r.determined ? '' : ' is-open'}`, 'data-testid': 'legal-outcome', 'data-outcome': r.outcome },
          h('p', { class: 'outcome-kicker' }, t('legal.outcome_label')),
          h('p', { class: 'outcome-title' }, pick(r.outcome_label) || this.outcomeName(r.outcome)),
          h('p', { class: 'outcome-text', 'data-testid': 'legal-explanation' }, pick(r.explanation)),
          !r.determined && r.possible_outcomes.length
            ? h('p', { class: 'outcome-rules' }, t('legal.possible', { outcomes: r.possible_outcomes.map((o) => this.outcomeName(o)).join('; ') }))
            : null,
        ),
        r.to_establish.length
          ? h(
              'div',
              { class: 'establish' },
              h('h3', { class: 'sub-title' }, t('legal.to_establish')),
              h(
                'ul',
                null,
                r.to_establish.map((n) =>
                  h(
                    'li',
                    null,
                    h('strong', null, pick(n.label) || nameOf(n.id)),
                    n.kind === 'element' && n.facts.length
                      ? h('span', { class: 'muted' }, ` — ${t('legal.any_of', { facts: listFormat(n.facts.map((f) => this.factLabel(f)), 'disjunction') })}`)
                      : null,
                  ),
                ),
              ),
            )
          : null,
        r.notes.length
          ? h(
              'div',
              { class: 'legal-notes' },
              h('h3', { class: 'sub-title' }, t('legal.notes')),
              h(
                'ul',
                null,
                r.notes.map((n) =>
                  h('li', { 'data-note': n.id }, pick(n.text), n.sources.length ? h('span', { class: 'cite' }, ' ', h('bdi', null, `(${n.sources.join('; ')})`)) : null),
                ),
              ),
            )
          : null,
        h('h3', { class: 'sub-title' }, t('legal.elements')),
        h(
          'ul',
          { class: 'legal-elements' },
          r.elements.map((e) =>
            h(
              'li',
              { class: `legal-element le-${e.value}`, 'data-element': e.id },
              h('div', { class: 'eval-row' }, h('span', { class: 'eval-label' }, pick(e.label) || e.id), chip(t(`legal.element.${e.value}`), `le-${e.value}`)),
              e.decided_by.length
                ? h('p', { class: 'small' }, t(`legal.decided_by.${e.value}`, { items: listFormat(e.decided_by.map(nameOf)) }))
                : null,
              e.evidence.length
                ? h(
                    'ul',
                    { class: 'evidence' },
                    e.evidence.map((ev) =>
                      h(
                        'li',
                        null,
                        h('span', { class: 'ev-fact' }, this.factLabel(ev.fact)),
                        ': ',
                        h('span', { class: 'ev-value' }, valueText(ev)),
                        ev.note ? h('span', { class: 'ev-note' }, ' — ', h('bdi', null, ev.note)) : null,
                        ev.source ? h('span', { class: 'muted' }, ' ', h('bdi', null, `(${ev.source})`)) : null,
                      ),
                    ),
                  )
                : null,
              e.sources.length ? h('p', { class: 'cite' }, h('bdi', null, e.sources.join('; '))) : null,
            ),
          ),
        ),
        h(
          'p',
          { class: 'muted small' },
          t('legal.rule_set', { id: c.rule_set?.id ?? r.rule_set.id, version: c.rule_set?.version ?? r.rule_set.version }),
          c.decided_at ? ` · ${t('legal.decided', { when: formatWhen(c.decided_at), who: c.decided_by ?? '' })}` : '',
        ),
      ),
    ];
  }
}
