// Small pieces shared by the report pages.
import { h } from '../dom';
import { currentLocale, t } from '../i18n';
import { label } from './api';

export function statusChip(status: string): HTMLElement {
  return h('span', { class: `chip rp-status rp-status-${status}`, 'data-status': status }, label('status', status));
}

/** A day ("2026-11-29") in the UI language. */
export function formatDay(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(currentLocale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

export function dayEl(iso: string | undefined): HTMLElement {
  return h('time', { datetime: iso ?? '' }, formatDay(iso));
}

export function pageHead(title: string, ...extra: (Node | null)[]): HTMLElement {
  return h(
    'div',
    { class: 'page-head page-head-row' },
    h('h1', { class: 'page-title', tabindex: '-1' }, title),
    ...extra,
  );
}

export function subNav(active: 'queue' | 'new' | 'recipients', coordinator: boolean): HTMLElement {
  const link = (id: typeof active, hash: string, key: string) =>
    h('a', { href: hash, class: `rp-tab${id === active ? ' is-current' : ''}`, 'aria-current': id === active ? 'page' : null }, t(key));
  return h(
    'nav',
    { class: 'rp-tabs', 'aria-label': t('reports.title') },
    link('queue', '#reports', 'reports.queue'),
    link('new', '#reports/new', 'reports.entry.title'),
    coordinator ? link('recipients', '#reports/recipients', 'reports.recipients.title') : null,
  );
}
