// Possible duplicates of a case's person (GET /api/v1/cases/{id}/duplicates): the panel on the
// case page, and the pieces the side-by-side review in the linkage section shares with it.
// The server decides who sees which pair; a role that may not compare identifiers gets an error
// and the panel stays hidden.
import { request } from '../api';
import { h } from '../dom';
import { formatDateTime, formatNumber, t } from '../i18n';
import type { LinkedCase } from './api';

export interface DuplicateReason {
  field: string;
  level: string;
  weight: number;
}

export interface CaseSummary {
  id: number;
  reference: string;
  status?: string;
  organisation_id?: number;
  organisation?: string;
  person: { given_name?: string; family_name?: string; birth_date?: string; document_number?: string };
  gender?: string;
  citizenship?: string;
}

export interface DuplicateCandidate {
  case_id: number;
  case: CaseSummary;
  probability: number;
  weight: number;
  reasons: DuplicateReason[];
}

export interface DuplicatePair {
  case: CaseSummary;
  other: CaseSummary;
  probability: number | null;
  weight: number | null;
  reasons: DuplicateReason[];
  decision?: { decision: string; decided_at: string } | null;
  may_decide?: boolean;
}

export const duplicatesApi = {
  forCase: (id: number) =>
    request<{ case: CaseSummary; threshold: number; candidates: DuplicateCandidate[] }>(
      'GET',
      `/api/v1/cases/${id}/duplicates`,
    ),
  pair: (id: number, other: number) => request<DuplicatePair>('GET', `/api/v1/cases/${id}/duplicates/${other}`),
  queue: () => request<{ threshold: number; candidates: DuplicatePair[] }>('GET', '/api/v1/cases/duplicates'),
  decide: (id: number, other: number, decision: 'not_duplicate' | 'same_person') =>
    request<{ decision: string }>('POST', `/api/v1/cases/${id}/duplicates/${other}/decision`, { decision }),
};

/** Roles the server lets compare identifiers (others are not asked at all). */
export function mayReviewDuplicates(role: string): boolean {
  return role === 'coordinator' || role === 'caseworker' || role === 'law_enforcement';
}

export function fullName(s: CaseSummary): string {
  return [s.person.given_name, s.person.family_name].filter(Boolean).join(' ') || s.reference;
}

export function percent(p: number | null): string {
  return p === null ? '—' : `${formatNumber(Math.round(p * 1000) / 10)} %`;
}

/** "Family name: similar spelling" in the UI language; the level names come from the server. */
export function fieldLabel(field: string): string {
  return t(`cases.dup.field.${field}`);
}

export function levelLabel(level: string): string {
  const similar = /^jaro-winkler >= ([\d.]+)$/.exec(level);
  if (similar) return t('cases.dup.level.similar', { min: similar[1] });
  const within = /^within (\d+) days$/.exec(level);
  if (within) return t('cases.dup.level.within_days', { days: within[1] });
  const known: Record<string, string> = {
    exact: 'cases.dup.level.exact',
    different: 'cases.dup.level.different',
    'month/day swapped': 'cases.dup.level.swapped',
    'same year': 'cases.dup.level.same_year',
  };
  return known[level] ? t(known[level]) : level;
}

/** The comparisons behind a score, as a list a screen reader reads in order. */
export function reasonList(reasons: DuplicateReason[]): HTMLElement {
  return h(
    'ul',
    { class: 'dup-reasons' },
    reasons.map((r) =>
      h(
        'li',
        { class: r.weight >= 0 ? 'dup-for' : 'dup-against' },
        h('span', { class: 'dup-field' }, fieldLabel(r.field)),
        ': ',
        levelLabel(r.level),
        h('span', { class: 'dup-weight' }, ` (${r.weight >= 0 ? '+' : '−'}${formatNumber(Math.abs(Math.round(r.weight * 10) / 10))})`),
      ),
    ),
  );
}

/** The case page's "Possible duplicates" box; null until the server has answered yes. */
export class DuplicatesPanel {
  private candidates: DuplicateCandidate[] | null = null;

  constructor(
    private readonly caseId: number,
    private readonly rerender: () => void,
  ) {}

  async load(): Promise<void> {
    try {
      this.candidates = (await duplicatesApi.forCase(this.caseId)).candidates;
    } catch {
      this.candidates = null; // not for this role or not now: no panel
    }
    this.rerender();
  }

  view(): HTMLElement | null {
    if (this.candidates === null) return null;
    const list = this.candidates;
    return h(
      'section',
      { class: 'card-box dup-panel', 'aria-labelledby': 'dup-h' },
      h('h2', { id: 'dup-h', class: 'section-title' }, t('cases.dup.title')),
      list.length === 0
        ? h('p', { class: 'muted small' }, t('cases.dup.none'))
        : h(
            'ul',
            { class: 'dup-list' },
            list.map((c) =>
              h(
                'li',
                { class: 'dup-item' },
                h(
                  'p',
                  { class: 'dup-head' },
                  h('a', { href: `#linkage/review/${this.caseId}/${c.case_id}` }, fullName(c.case)),
                  ' ',
                  h('span', { class: 'chip chip-dup' }, t('cases.dup.probability', { p: percent(c.probability) })),
                ),
                h(
                  'p',
                  { class: 'muted small' },
                  [c.case.reference, c.case.person.birth_date, c.case.organisation].filter(Boolean).join(' · '),
                ),
                reasonList(c.reasons),
              ),
            ),
          ),
      h('p', { class: 'small' }, h('a', { href: '#linkage/review' }, t('cases.dup.queue_link'))),
    );
  }
}

/** The case page's "Same person" box: cases a reviewer linked to this one; null when none. */
export function linkedCasesView(links: LinkedCase[] | undefined): HTMLElement | null {
  if (!links || links.length === 0) return null;
  return h(
    'section',
    { class: 'card-box dup-panel', 'aria-labelledby': 'linked-h' },
    h('h2', { id: 'linked-h', class: 'section-title' }, t('cases.linked.title')),
    h('p', { class: 'muted small' }, t('cases.linked.hint')),
    h(
      'ul',
      { class: 'dup-list' },
      links.map((l) =>
        h(
          'li',
          { class: 'dup-item' },
          h('a', { href: `#cases/${l.case_id}` }, l.reference ?? `#${l.case_id}`),
          h(
            'p',
            { class: 'muted small' },
            t('cases.linked.by', {
              user: l.linked_by_username ?? (l.linked_by ? `#${l.linked_by}` : '—'),
              when: formatDateTime(new Date(l.linked_at)),
            }),
          ),
        ),
      ),
    ),
  );
}
