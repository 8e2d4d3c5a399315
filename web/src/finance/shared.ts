// Small pieces shared by the finance desk's pages.
import { h } from '../dom';
import { t } from '../i18n';

export function statusChip(status: string): HTMLElement {
  return h('span', { class: `chip fn-status fn-status-${status}`, 'data-status': status }, t(`finance.status.${status}`));
}

export function pageHead(title: string, ...extra: (Node | null)[]): HTMLElement {
  return h('div', { class: 'page-head page-head-row' }, h('h1', { class: 'page-title', tabindex: '-1' }, title), ...extra);
}

export function subNav(active: 'queue' | 'upload' | 'item'): HTMLElement {
  const link = (id: typeof active, hash: string, key: string) =>
    h(
      'a',
      { href: hash, class: `fn-tab${id === active ? ' is-current' : ''}`, 'aria-current': id === active ? 'page' : null },
      t(key),
    );
  return h(
    'nav',
    { class: 'fn-tabs', 'aria-label': t('finance.title') },
    link('queue', '#finance', 'finance.queue'),
    link('upload', '#finance/upload', 'finance.upload.title'),
  );
}
