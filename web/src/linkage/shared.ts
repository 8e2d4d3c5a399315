// Pieces the linkage pages share: the heading with the section's own navigation.
import { t } from '../i18n';
import { mayReviewDuplicates } from '../cases/duplicates';
import { pageHead as commonPageHead, sectionTabs, type SectionTab } from '../views/common';
import { seesProjects } from './api';

export type Tab = 'projects' | 'review';

export function pageHead(role: string, current: Tab | null, title: string, extra?: Node | null): HTMLElement {
  const tabs: SectionTab[] = [];
  if (seesProjects(role)) tabs.push({ href: '#linkage', text: t('linkage.nav.projects'), current: current === 'projects' });
  if (mayReviewDuplicates(role))
    tabs.push({ href: '#linkage/review', text: t('linkage.nav.review'), current: current === 'review' });
  const head = commonPageHead(title, tabs.length > 1 ? sectionTabs(t('linkage.nav.label'), tabs) : null, extra ?? null);
  head.classList.add('linkage-head');
  return head;
}

export function when(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(document.documentElement.lang || 'en');
}
