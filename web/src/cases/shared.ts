// Pieces several case views share.
import type { User } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import type { Case } from './api';
import { statusLabel } from './ref';
import { chip } from './ui';

/** Coordinators and caseworkers write; analysts read the pseudonymous view. */
export function canWrite(user: User): boolean {
  return user.role === 'coordinator' || user.role === 'caseworker';
}

export function personName(c: Case): string {
  const p = c.person;
  if (!p) return '';
  return [p.given_name, p.family_name].filter(Boolean).join(' ');
}

export function statusChip(status: string): HTMLElement {
  return chip(statusLabel(status), `status-${status}`);
}

/** The non-punishment flag, shown wherever a case appears. */
export function nonPunishmentChip(on: boolean, compact = false): HTMLElement {
  if (on) {
    return h(
      'span',
      { class: 'chip chip-np', title: compact ? t('cases.np.on_long') : null },
      t(compact ? 'cases.np.on_short' : 'cases.np.on'),
    );
  }
  return h('span', { class: 'chip chip-muted' }, t(compact ? 'cases.np.off_short' : 'cases.np.off'));
}
