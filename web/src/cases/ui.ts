// Small, accessible form widgets and display pieces shared by the case views.
import { h } from '../dom';
import { t } from '../i18n';

export interface Option {
  value: string;
  label: string;
}

/** Errors keyed by JSON pointer ("/legs/1/date_to"), as the API names fields. */
export type FieldErrors = Record<string, string>;

/** The rendered field an API pointer belongs to: itself or its nearest rendered parent. */
export function pointerFor(field: string | undefined, rendered: Iterable<string>): string {
  if (!field) return '';
  const known = new Set(rendered);
  let p = field.startsWith('/') ? field : `/${field}`;
  while (p) {
    if (known.has(p)) return p;
    p = p.slice(0, p.lastIndexOf('/'));
  }
  return '';
}

/** DOM id for a pointer: "/legs/1/date_to" -> "f-legs-1-date_to". */
export function idFor(pointer: string): string {
  return `f${pointer.replace(/[^A-Za-z0-9_]+/g, '-')}`;
}

interface FieldOpts {
  pointer: string;
  label: string;
  hint?: string | null;
  errors: FieldErrors;
  control: HTMLElement;
  wide?: boolean;
  optional?: boolean;
}

/** A labelled control with its hint and error, wired with aria-describedby / aria-invalid. */
export function field(o: FieldOpts): HTMLElement {
  const id = idFor(o.pointer);
  const error = o.errors[o.pointer];
  const hintId = o.hint ? `${id}-hint` : null;
  const errorId = error ? `${id}-error` : null;
  o.control.id = id;
  o.control.setAttribute('data-pointer', o.pointer);
  const described = [hintId, errorId].filter(Boolean).join(' ');
  if (described) o.control.setAttribute('aria-describedby', described);
  if (error) o.control.setAttribute('aria-invalid', 'true');
  return h(
    'div',
    { class: `field${o.wide ? ' field-wide' : ''}${error ? ' has-error' : ''}` },
    h('label', { for: id }, o.label, o.optional ? h('span', { class: 'optional' }, ` ${t('cases.optional')}`) : null),
    o.control,
    o.hint ? h('p', { id: hintId, class: 'hint' }, o.hint) : null,
    error ? h('p', { id: errorId, class: 'field-error' }, error) : null,
  );
}

export function textInput(
  value: string | undefined,
  onInput: (v: string) => void,
  attrs: Record<string, string | number | boolean> = {},
): HTMLInputElement {
  const el = h('input', { type: 'text', value: value ?? '', ...attrs });
  el.addEventListener('input', () => onInput(el.value));
  return el;
}

export function textArea(value: string | undefined, onInput: (v: string) => void, rows = 3): HTMLTextAreaElement {
  const el = h('textarea', { rows });
  el.value = value ?? '';
  el.addEventListener('input', () => onInput(el.value));
  return el;
}

export function select(
  options: Option[],
  value: string | undefined,
  onChange: (v: string) => void,
  empty?: string,
): HTMLSelectElement {
  const el = h(
    'select',
    null,
    empty !== undefined ? h('option', { value: '' }, empty) : null,
    options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)),
  );
  if (value === undefined || value === '') el.value = '';
  el.addEventListener('change', () => onChange(el.value));
  return el;
}

/** A fieldset of checkboxes for a list of codes. */
export function checkGroup(
  pointer: string,
  legend: string,
  options: Option[],
  selected: string[],
  onChange: (next: string[]) => void,
  errors: FieldErrors,
): HTMLElement {
  const id = idFor(pointer);
  const error = errors[pointer];
  const set = new Set(selected);
  return h(
    'fieldset',
    {
      class: `choice-group${error ? ' has-error' : ''}`,
      id,
      'data-pointer': pointer,
      'aria-describedby': error ? `${id}-error` : null,
      tabindex: error ? '-1' : null,
    },
    h('legend', null, legend),
    h(
      'div',
      { class: 'choices' },
      options.map((o) => {
        const box = h('input', { type: 'checkbox', id: `${id}-${o.value}`, value: o.value, checked: set.has(o.value) });
        box.addEventListener('change', () => {
          if (box.checked) set.add(o.value);
          else set.delete(o.value);
          onChange(options.map((x) => x.value).filter((v) => set.has(v)));
        });
        return h('label', { class: 'choice', for: box.id }, box, h('span', null, o.label));
      }),
    ),
    error ? h('p', { id: `${id}-error`, class: 'field-error' }, error) : null,
  );
}

/** A row of radio buttons that look like a segmented control. */
export function segmented(
  name: string,
  legend: HTMLElement | string,
  options: Option[],
  value: string,
  onChange: (v: string) => void,
  opts: { disabled?: boolean; legendHidden?: boolean; extraClass?: string } = {},
): HTMLElement {
  return h(
    'fieldset',
    { class: `segmented ${opts.extraClass ?? ''}`.trim(), disabled: opts.disabled },
    h('legend', { class: opts.legendHidden ? 'visually-hidden' : null }, legend),
    h(
      'div',
      { class: 'segments' },
      options.map((o) => {
        const id = `${name}-${o.value}`;
        const radio = h('input', { type: 'radio', name, id, value: o.value, checked: o.value === value });
        radio.addEventListener('change', () => radio.checked && onChange(o.value));
        return h('span', { class: `segment seg-${o.value}` }, radio, h('label', { for: id }, o.label));
      }),
    ),
  );
}

export function chip(text: string, kind: string): HTMLElement {
  return h('span', { class: `chip chip-${kind}` }, text);
}

export function loading(): HTMLElement {
  return h('p', { class: 'muted loading', role: 'status' }, t('app.loading'));
}

/** A definition list of label/value pairs; empty values show a dash. */
export function facts(rows: [string, Node | string | null | undefined][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    rows.map(([k, v]) =>
      h('div', { class: 'fact' }, h('dt', null, k), h('dd', null, v === null || v === undefined || v === '' ? '—' : v)),
    ),
  );
}
