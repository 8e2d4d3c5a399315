import { h } from '../dom';
import { LOCALES, currentLocale, t, type Locale } from '../i18n';

let seq = 0;

/** A labelled language switch; `onChange` re-renders the app in the chosen language. */
export function languageSwitch(onChange: (code: Locale) => void, variant = ''): HTMLElement {
  const id = `lang-${++seq}`;
  const select = h(
    'select',
    { id, class: 'lang-select', 'data-testid': 'language', onchange: () => onChange(select.value as Locale) },
    LOCALES.map((l) =>
      h('option', { value: l.code, lang: l.code, selected: l.code === currentLocale() }, l.name),
    ),
  );
  return h('div', { class: `lang-switch ${variant}`.trim() }, h('label', { for: id }, t('header.language')), select);
}

export function brand(): HTMLElement {
  return h(
    'div',
    { class: 'brand' },
    h('img', { class: 'brand-mark', src: '/favicon.svg', alt: '', width: 32, height: 32 }),
    h(
      'span',
      { class: 'brand-text' },
      h('span', { class: 'brand-name' }, t('app.name')),
      h('span', { class: 'brand-full' }, t('app.full_name')),
    ),
  );
}

export function alertBox(message: string | null, id: string, kind: 'error' | 'info' = 'error'): HTMLElement {
  return h(
    'div',
    { id, class: `alert alert-${kind}`, role: kind === 'error' ? 'alert' : 'status', hidden: !message },
    message ?? '',
  );
}

/** A page's heading row: the title (focused after navigation) and anything beside it. */
export function pageHead(title: string, ...extra: (Node | null)[]): HTMLElement {
  return h('div', { class: 'page-head page-head-row' }, h('h1', { class: 'page-title', tabindex: '-1' }, title), ...extra);
}

export interface SectionTab {
  href: string;
  text: string;
  current: boolean;
}

/** A section's own navigation; the current page is marked for assistive technology too. */
export function sectionTabs(label: string, tabs: (SectionTab | null)[]): HTMLElement {
  return h(
    'nav',
    { class: 'section-tabs', 'aria-label': label },
    tabs.map((tab) =>
      tab
        ? h(
            'a',
            { href: tab.href, class: `section-tab${tab.current ? ' is-current' : ''}`, 'aria-current': tab.current ? 'page' : null },
            tab.text,
          )
        : null,
    ),
  );
}
