// Possible duplicates among cases, for review: the open pairs (best first), and one pair side by
// side with the comparisons that drove its score and the two decisions. The server shows a pair
// only to those who may read both cases, and never an immigration status.
import { ApiError } from '../api';
import { h } from '../dom';
import { formatNumber, t } from '../i18n';
import { Page, type Host } from '../page';
import { alertBox } from '../views/common';
import {
  duplicatesApi,
  fieldLabel,
  fullName,
  levelLabel,
  percent,
  reasonList,
  type CaseSummary,
  type DuplicatePair,
} from '../cases/duplicates';
import { codeLabel } from '../cases/ref';
import { pageHead } from './shared';

export class ReviewQueuePage extends Page {
  readonly section = 'linkage';
  private pairs: DuplicatePair[] | null = null;
  private error: string | null = null;

  constructor(host: Host) {
    super(host);
    this.render();
    void this.load();
  }

  title(): string {
    return t('linkage.review.title');
  }

  private async load(): Promise<void> {
    try {
      this.pairs = (await duplicatesApi.queue()).candidates;
    } catch (err) {
      this.error = err instanceof ApiError && err.status === 403 ? t('linkage.review.not_for_role') : this.host.fail(err);
    }
    this.render();
  }

  protected view(): (Node | null)[] {
    const head = pageHead(this.host.user.role, 'review', t('linkage.review.title'));
    if (this.error) return [head, alertBox(this.error, 'linkage-error')];
    if (!this.pairs) return [head, h('p', { class: 'muted', role: 'status' }, t('app.loading'))];
    if (this.pairs.length === 0) return [head, h('p', { class: 'empty-state' }, t('linkage.review.none'))];
    return [
      head,
      h('p', { class: 'muted' }, t('linkage.review.intro')),
      h(
        'div',
        { class: 'linkage-table-wrap' },
        h(
          'table',
          { class: 'linkage-table' },
          h('caption', { class: 'visually-hidden' }, t('linkage.review.title')),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, t('linkage.review.case')),
              h('th', { scope: 'col' }, t('linkage.review.other')),
              h('th', { scope: 'col' }, t('linkage.review.probability')),
              h('th', { scope: 'col' }, t('linkage.review.reasons')),
            ),
          ),
          h(
            'tbody',
            null,
            this.pairs.map((p) =>
              h(
                'tr',
                null,
                h(
                  'th',
                  { scope: 'row' },
                  h('a', { href: `#linkage/review/${p.case.id}/${p.other.id}` }, fullName(p.case)),
                  h('span', { class: 'muted small lk-block' }, p.case.reference),
                ),
                h('td', null, fullName(p.other), h('span', { class: 'muted small lk-block' }, p.other.reference)),
                h('td', null, percent(p.probability)),
                h('td', null, reasonList(p.reasons.slice(0, 3))),
              ),
            ),
          ),
        ),
      ),
    ];
  }
}

const ROWS: [string, (s: CaseSummary) => string | undefined][] = [
  ['given_name', (s) => s.person.given_name],
  ['family_name', (s) => s.person.family_name],
  ['birth_date', (s) => s.person.birth_date],
  ['document_number', (s) => s.person.document_number],
  ['citizenship', (s) => s.citizenship],
  ['gender', (s) => (s.gender ? codeLabel('gender', s.gender) : undefined)],
];

export class ReviewPairPage extends Page {
  readonly section = 'linkage';
  private pair: DuplicatePair | null = null;
  private error: string | null = null;
  private notice: 'not_duplicate' | 'same_person' | null = null;
  private busy = false;

  constructor(
    host: Host,
    private readonly a: number,
    private readonly b: number,
  ) {
    super(host);
    this.render();
    void this.load();
  }

  title(): string {
    return t('linkage.pair.title');
  }

  private async load(): Promise<void> {
    try {
      this.pair = await duplicatesApi.pair(this.a, this.b);
    } catch (err) {
      this.error = err instanceof ApiError && err.status === 404 ? t('linkage.pair.not_found') : this.host.fail(err);
    }
    this.render();
  }

  private async decide(decision: 'not_duplicate' | 'same_person'): Promise<void> {
    this.busy = true;
    this.render();
    try {
      await duplicatesApi.decide(this.a, this.b, decision);
      this.pair = await duplicatesApi.pair(this.a, this.b);
      this.notice = decision;
      this.error = null;
    } catch (err) {
      this.error = this.host.fail(err);
    } finally {
      this.busy = false;
    }
    this.render('#lk-notice');
  }

  protected view(): (Node | null)[] {
    const head = pageHead(this.host.user.role, 'review', t('linkage.pair.title'));
    const back = h('p', { class: 'small' }, h('a', { href: '#linkage/review' }, t('linkage.pair.back')));
    const p = this.pair;
    if (!p) {
      return [
        head,
        back,
        this.error ? alertBox(this.error, 'linkage-error') : h('p', { class: 'muted', role: 'status' }, t('app.loading')),
      ];
    }
    const reasonOf = (field: string) => p.reasons.find((r) => r.field === field);
    const decided = p.decision?.decision;
    return [
      head,
      back,
      alertBox(this.error, 'linkage-error'),
      h('p', { id: 'lk-notice', class: 'alert alert-info', role: 'status', tabindex: '-1', hidden: !this.notice }, this.notice ? t(`linkage.pair.done.${this.notice}`) : ''),
      h(
        'p',
        { class: 'lk-score' },
        t('linkage.pair.score', {
          p: percent(p.probability),
          w: p.weight === null ? '—' : formatNumber(Math.round(p.weight * 10) / 10),
        }),
      ),
      h(
        'div',
        { class: 'linkage-table-wrap' },
        h(
          'table',
          { class: 'linkage-table lk-side' },
          h('caption', null, t('linkage.pair.caption')),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, t('linkage.pair.field')),
              h('th', { scope: 'col' }, h('a', { href: `#cases/${p.case.id}` }, p.case.reference)),
              h('th', { scope: 'col' }, h('a', { href: `#cases/${p.other.id}` }, p.other.reference)),
              h('th', { scope: 'col' }, t('linkage.pair.comparison')),
            ),
          ),
          h(
            'tbody',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'row' }, t('linkage.field.organisation')),
              h('td', null, p.case.organisation ?? '—'),
              h('td', null, p.other.organisation ?? '—'),
              h('td', null, ''),
            ),
            ROWS.map(([field, get]) => {
              const r = reasonOf(field);
              return h(
                'tr',
                { class: r ? (r.weight >= 0 ? 'dup-for' : 'dup-against') : null },
                h('th', { scope: 'row' }, fieldLabel(field)),
                h('td', null, get(p.case) || '—'),
                h('td', null, get(p.other) || '—'),
                h(
                  'td',
                  null,
                  r
                    ? `${levelLabel(r.level)} (${r.weight >= 0 ? '+' : '−'}${formatNumber(Math.abs(Math.round(r.weight * 10) / 10))})`
                    : t('linkage.pair.missing'),
                ),
              );
            }),
          ),
        ),
      ),
      h('p', { class: 'hint' }, t('linkage.pair.weights_hint')),
      decided ? h('p', { class: 'lk-decided' }, t(`linkage.pair.decided.${decided}`)) : null,
      p.may_decide
        ? h(
            'div',
            { class: 'lk-actions', role: 'group', 'aria-label': t('linkage.pair.decide') },
            h(
              'button',
              { type: 'button', class: 'btn btn-secondary', id: 'lk-not-dup', disabled: this.busy, onclick: () => void this.decide('not_duplicate') },
              t('linkage.pair.not_duplicate'),
            ),
            h(
              'button',
              { type: 'button', class: 'btn btn-primary', id: 'lk-same', disabled: this.busy, onclick: () => void this.decide('same_person') },
              t('linkage.pair.same_person'),
            ),
          )
        : h('p', { class: 'muted small' }, t('linkage.pair.read_only')),
    ];
  }
}
