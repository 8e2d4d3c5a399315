// Small pieces shared by the report pages.
import { h } from '../dom';
import { currentLocale, t } from '../i18n';
import { sectionTabs } from '../views/common';
import { label } from './api';

export { pageHead } from '../views/common';

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


export function subNav(active: 'queue' | 'new' | 'recipients', coordinator: boolean): HTMLElement {
  return sectionTabs(t('reports.title'), [
    { href: '#reports', text: t('reports.queue'), current: active === 'queue' },
    { href: '#reports/new', text: t('reports.entry.title'), current: active === 'new' },
    coordinator
      ? { href: '#reports/recipients', text: t('reports.recipients.title'), current: active === 'recipients' }
      : null,
  ]);
}
