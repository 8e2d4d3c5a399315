// Pieces the linkage pages share: the heading with the section's own navigation.
import { h } from '../dom';
import { t } from '../i18n';
import { mayReviewDuplicates } from '../cases/duplicates';
import { seesProjects } from './api';

export type Tab = 'projects' | 'review';

export function pageHead(role: string, current: Tab | null, title: string, extra?: Node | null): HTMLElement {
  const tabs: [Tab, string, string][] = [];
  if (seesProjects(role)) tabs.push(['projects', '#linkage', t('linkage.nav.projects')]);
  if (mayReviewDuplicates(role)) tabs.push(['review', '#linkage/review', t('linkage.nav.review')]);
  return h(
    'div',
    { class: 'page-head linkage-head' },
    h('h1', { class: 'page-title', tabindex: '-1' }, title),
    tabs.length > 1
      ? h(
          'nav',
          { class: 'linkage-tabs', 'aria-label': t('linkage.nav.label') },
          tabs.map(([tab, href, text]) =>
            h('a', { class: 'linkage-tab', href, 'aria-current': tab === current ? 'page' : null }, text),
          ),
        )
      : null,
    extra ?? null,
  );
}

export function when(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(document.documentElement.lang || 'en');
}
