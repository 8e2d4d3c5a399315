// A report taken by phone or in person, entered by staff on the reporter's behalf. The receipt
// code is shown once, to read out to the caller.
import { ApiError } from '../api';
import { h } from '../dom';
import { LOCALES, currentLocale, t } from '../i18n';
import { Page, type Host } from '../page';
import { alertBox } from '../views/common';
import { AFFECTED, SIGNS, WHEN_SEEN, WORK_TYPES, label, regionName, reportsApi, reportsError } from './api';
import { pageHead, subNav } from './shared';

interface Draft {
  channel: 'phone' | 'in_person';
  language: string;
  place_country: string;
  place: string;
  work_type: string;
  signs: string[];
  affected: string;
  people_count: string;
  when_seen: string;
  description: string;
}

const empty = (): Draft => ({
  channel: 'phone',
  language: currentLocale(),
  place_country: '',
  place: '',
  work_type: '',
  signs: [],
  affected: '',
  people_count: '',
  when_seen: '',
  description: '',
});

export class EntryPage extends Page {
  readonly section = 'reports';
  private draft = empty();
  private busy = false;
  private error: string | null = null;
  private fieldError: { field: string; message: string } | null = null;
  private receipt: { report_id: number; code: string } | null = null;
  /** ISO 3166-1 alpha-2 codes, from the server's reference list. */
  private regions: string[] = [];

  constructor(host: Host) {
    super(host);
    this.render();
    reportsApi.countries().then(
      (r) => {
        this.regions = (r.countries ?? []).map((c) => c.alpha2);
        this.render();
      },
      () => {},
    );
  }

  title(): string {
    return t('reports.entry.title');
  }

  private async submit(): Promise<void> {
    if (this.busy) return;
    const d = this.draft;
    this.error = null;
    this.fieldError = null;
    if (!d.description.trim()) {
      this.fieldError = { field: 'description', message: t('errors.required') };
      this.render('#rp-e-description');
      return;
    }
    const count = d.people_count.trim();
    if (count && !/^\d+$/.test(count)) {
      this.fieldError = { field: 'people_count', message: t('reports.entry.count_invalid') };
      this.render('#rp-e-people_count');
      return;
    }
    this.busy = true;
    this.render();
    try {
      this.receipt = await reportsApi.enter({
        channel: d.channel,
        language: d.language,
        place_country: d.place_country,
        place: d.place.trim(),
        work_type: d.work_type,
        signs: d.signs,
        affected: d.affected,
        ...(count ? { people_count: Number(count) } : {}),
        when_seen: d.when_seen,
        description: d.description,
      });
      this.draft = empty();
    } catch (err) {
      const field = err instanceof ApiError ? err.field?.replace(/^\//, '').split('/')[0] : undefined;
      const message = reportsError(err, (e) => this.host.fail(e));
      if (field && document.getElementById(`rp-e-${field}`)) this.fieldError = { field, message };
      else this.error = message;
    }
    this.busy = false;
    this.render(this.receipt ? '#rp-receipt' : this.fieldError ? `#rp-e-${this.fieldError.field}` : '#entry-error');
  }

  private control(field: keyof Draft, labelText: string, control: HTMLElement, optional = true): HTMLElement {
    const id = `rp-e-${field}`;
    control.id = id;
    const err = this.fieldError?.field === field ? this.fieldError.message : null;
    if (err) {
      control.setAttribute('aria-invalid', 'true');
      control.setAttribute('aria-describedby', `${id}-error`);
    }
    return h(
      'div',
      { class: 'field' },
      h('label', { for: id }, labelText, optional ? h('span', { class: 'optional' }, ` ${t('reports.optional')}`) : null),
      control,
      err ? h('p', { id: `${id}-error`, class: 'field-error' }, err) : null,
    );
  }

  private select(field: keyof Draft, options: { value: string; label: string }[], none: string): HTMLSelectElement {
    const el = h(
      'select',
      { onchange: () => ((this.draft[field] as string) = el.value) },
      h('option', { value: '' }, none),
      options.map((o) => h('option', { value: o.value, selected: o.value === this.draft[field] }, o.label)),
    );
    return el;
  }

  private text(field: keyof Draft, multiline = false): HTMLElement {
    const el = multiline ? h('textarea', { rows: 6 }) : h('input', { type: 'text' });
    el.value = this.draft[field] as string;
    el.addEventListener('input', () => ((this.draft[field] as string) = el.value));
    return el;
  }

  private group(name: 'channel' | 'signs', legend: string, type: 'radio' | 'checkbox', codes: string[], words: (c: string) => string): HTMLElement {
    return h(
      'fieldset',
      { class: 'rp-choices' },
      h('legend', null, legend),
      codes.map((c, i) => {
        const id = `rp-e-${name}-${i}`;
        const checked = name === 'signs' ? this.draft.signs.includes(c) : this.draft.channel === c;
        const input = h('input', {
          type,
          id,
          name: `rp-${name}`,
          value: c,
          checked,
          onchange: () => {
            if (name === 'channel') this.draft.channel = c as Draft['channel'];
            else if (input.checked) this.draft.signs = [...this.draft.signs.filter((s) => s !== c), c];
            else this.draft.signs = this.draft.signs.filter((s) => s !== c);
          },
        });
        return h('div', { class: 'rp-choice' }, input, h('label', { for: id }, words(c)));
      }),
    );
  }

  private form(): HTMLElement {
    const locale = currentLocale();
    const collator = new Intl.Collator(locale);
    const countries = this.regions.map((c) => ({ value: c, label: regionName(c, locale) })).sort((a, b) => collator.compare(a.label, b.label));
    const choices = (group: string, codes: string[]) => codes.map((c) => ({ value: c, label: label(group, c) }));
    return h(
      'form',
      {
        class: 'panel rp-entry',
        novalidate: true,
        onsubmit: (e: Event) => {
          e.preventDefault();
          void this.submit();
        },
      },
      this.group('channel', t('reports.field.channel'), 'radio', ['phone', 'in_person'], (c) => label('channel', c)),
      this.control('language', t('reports.field.language'), this.select('language', LOCALES.map((l) => ({ value: l.code, label: label('language', l.code) })), t('reports.unknown'))),
      this.control('place_country', t('reports.field.country'), this.select('place_country', countries, t('reports.country_unknown'))),
      this.control('place', t('reports.field.place'), this.text('place')),
      this.control('work_type', t('reports.field.work_type'), this.select('work_type', choices('work', WORK_TYPES), t('reports.unknown'))),
      this.group('signs', t('reports.field.signs'), 'checkbox', SIGNS, (c) => label('sign', c)),
      this.control('affected', t('reports.field.affected'), this.select('affected', choices('affected', AFFECTED), t('reports.unknown'))),
      this.control('people_count', t('reports.field.people_count'), this.text('people_count')),
      this.control('when_seen', t('reports.field.when_seen'), this.select('when_seen', choices('when', WHEN_SEEN), t('reports.unknown'))),
      this.control('description', t('reports.field.description'), this.text('description', true), false),
      h('button', { type: 'submit', class: 'btn btn-primary', disabled: this.busy }, t('reports.entry.submit')),
    );
  }

  protected view(): (Node | null)[] {
    const r = this.receipt;
    return [
      pageHead(t('reports.entry.title')),
      subNav('new', this.host.user.role === 'coordinator'),
      h('p', { class: 'muted' }, t('reports.entry.intro')),
      alertBox(this.error, 'entry-error'),
      r
        ? h(
            'section',
            { id: 'rp-receipt', class: 'panel rp-receipt', tabindex: '-1', 'aria-labelledby': 'rp-receipt-h' },
            h('h2', { id: 'rp-receipt-h', class: 'section-title' }, t('reports.entry.done', { id: r.report_id })),
            h('p', null, t('reports.entry.read_out')),
            h('p', { class: 'rp-code', dir: 'ltr', 'data-testid': 'receipt-code' }, r.code),
            h('p', null, h('a', { href: `#reports/${r.report_id}` }, t('reports.number', { id: r.report_id }))),
            h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { this.receipt = null; this.render('#rp-e-description'); } }, t('reports.entry.another')),
          )
        : this.form(),
    ];
  }
}
