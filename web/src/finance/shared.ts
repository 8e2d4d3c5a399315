// Small pieces shared by the finance desk's pages.
import { h } from '../dom';
import { t } from '../i18n';
import { sectionTabs } from '../views/common';

export { pageHead } from '../views/common';

export function statusChip(status: string): HTMLElement {
  return h('span', { class: `chip fn-status fn-status-${status}`, 'data-status': status }, t(`finance.status.${status}`));
}

export function subNav(active: 'queue' | 'risk' | 'upload' | 'item'): HTMLElement {
  return sectionTabs(t('finance.title'), [
    { href: '#finance', text: t('finance.queue'), current: active === 'queue' },
    { href: '#finance/risk', text: t('finance.risk.tab'), current: active === 'risk' },
    { href: '#finance/upload', text: t('finance.upload.title'), current: active === 'upload' },
  ]);
}
