// The desk's risk ranking: the accounts and parties of the newest scan, highest score first.
// A score is the sum of the points of the pattern hits naming the account (docs/user-guide/
// finance.md); each row shows it as a number and a bar scaled to the top score of its list, and
// its reasons as chips, one per pattern. An account links to its review item (the network graph
// is there); a party lists its accounts. The number of rows is kept in the address (?limit=).
import { h } from '../dom';
import { formatNumber, t } from '../i18n';
import { Page, type Host, type Route } from '../page';
import { alertBox } from '../views/common';
import { financeApi, typologyName, type RiskAccount, type RiskParty, type RiskRanking, type RiskReason } from './api';
import { pageHead, subNav } from './shared';

export const LIMITS = [25, 50, 100, 200] as const;
export const DEFAULT_LIMIT = 50;
/** The bar's drawing width (SVG user units; CSS scales the element). */
export const BAR_WIDTH = 120;
const BAR_HEIGHT = 12;
const SVG = 'http://www.w3.org/2000/svg';

/** The limit named by the address, one of LIMITS (the default for anything else). */
export function parseLimit(query: URLSearchParams): number {
  const n = Number(query.get('limit'));
  return (LIMITS as readonly number[]).includes(n) ? n : DEFAULT_LIMIT;
}

/** The address of the ranking with that limit (the default one is left out). */
export function riskHash(limit: number): string {
  return limit === DEFAULT_LIMIT ? '#finance/risk' : `#finance/risk?limit=${limit}`;
}

/** Length of a score's bar: proportional to the top score, at least 2 units when above 0. */
export function barLength(score: number, top: number, width = BAR_WIDTH): number {
  if (!(score > 0) || !(top > 0)) return 0;
  const len = Math.round((Math.min(score, top) / top) * width * 10) / 10;
  return Math.max(2, len);
}

/** A score as a whole percentage of the top score (the bar's text equivalent). */
export function percentOfTop(score: number, top: number): number {
  if (!(score > 0) || !(top > 0)) return 0;
  return Math.round((Math.min(score, top) / top) * 100);
}

export interface ReasonGroup {
  pattern: string;
  points: number;
  hits: number;
}

/** Reasons folded by pattern (points summed, hits counted), most points first, then by name. */
export function groupReasons(reasons: readonly RiskReason[]): ReasonGroup[] {
  const by = new Map<string, ReasonGroup>();
  for (const r of reasons) {
    const g = by.get(r.pattern) ?? { pattern: r.pattern, points: 0, hits: 0 };
    g.points += r.points;
    g.hits += 1;
    by.set(r.pattern, g);
  }
  return [...by.values()]
    .map((g) => ({ ...g, points: Math.round(g.points * 100) / 100 }))
    .sort((a, b) => b.points - a.points || a.pattern.localeCompare(b.pattern));
}

/** A reason chip's text: the pattern's translated name, its points, and the hits when several. */
export function reasonLabel(g: ReasonGroup): string {
  const params = { name: typologyName(g.pattern), points: formatNumber(g.points), count: formatNumber(g.hits) };
  return t(g.hits > 1 ? 'finance.risk.reason_many' : 'finance.risk.reason', params);
}

/** Which review item shows each account's network (accounts with none are left out). */
export function itemsByAccount(accounts: readonly RiskAccount[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of accounts) if (a.item_id != null && !out.has(a.account)) out.set(a.account, a.item_id);
  return out;
}

/** The answer with the fields a server before the party ranking leaves out filled in. */
export function normaliseRanking(
  raw: Partial<Omit<RiskRanking, 'accounts'>> & { accounts?: Partial<RiskAccount>[] },
): RiskRanking {
  const accounts = (raw.accounts ?? []).map((a, i) => ({
    rank: a.rank ?? i + 1,
    account: a.account ?? '',
    party: a.party ?? '',
    score: a.score ?? 0,
    reasons: a.reasons ?? [],
    item_id: a.item_id ?? null,
  }));
  return { scan_id: raw.scan_id ?? null, accounts, parties: raw.parties ?? [] };
}

function topScore(rows: readonly { score: number }[]): number {
  return rows.reduce((m, r) => Math.max(m, r.score), 0);
}

/** The score as text with a bar beside it; the bar's label says where it stands against the top. */
function scoreCell(score: number, top: number): HTMLElement {
  const svg = document.createElementNS(SVG, 'svg');
  const attrs: Record<string, string> = {
    class: 'fn-bar',
    viewBox: `0 0 ${BAR_WIDTH} ${BAR_HEIGHT}`,
    width: String(BAR_WIDTH),
    height: String(BAR_HEIGHT),
    role: 'img',
    'aria-label': t('finance.risk.bar', { percent: formatNumber(percentOfTop(score, top)) }),
  };
  for (const [k, v] of Object.entries(attrs)) svg.setAttribute(k, v);
  const track = document.createElementNS(SVG, 'rect');
  const fill = document.createElementNS(SVG, 'rect');
  for (const [el, cls, w] of [
    [track, 'fn-bar-track', BAR_WIDTH],
    [fill, 'fn-bar-fill', barLength(score, top)],
  ] as const) {
    el.setAttribute('class', cls);
    el.setAttribute('x', '0');
    el.setAttribute('y', '0');
    el.setAttribute('width', String(w));
    el.setAttribute('height', String(BAR_HEIGHT));
    el.setAttribute('rx', '2');
  }
  svg.append(track, fill);
  return h('td', { class: 'fn-score' }, h('span', { class: 'fn-score-value', 'data-score': score }, formatNumber(score)), svg);
}

function reasonChips(reasons: readonly RiskReason[]): HTMLElement {
  return h(
    'td',
    null,
    h(
      'ul',
      { class: 'fn-reasons' },
      groupReasons(reasons).map((g) => h('li', { class: 'fn-reason', 'data-pattern': g.pattern }, reasonLabel(g))),
    ),
  );
}

function account(id: string, item: number | undefined): HTMLElement {
  return item === undefined
    ? h('span', { dir: 'ltr' }, id)
    : h('a', { href: `#finance/${item}`, dir: 'ltr', 'data-testid': 'risk-party-account' }, id);
}

export class RiskPage extends Page {
  readonly section = 'finance';
  private limit = DEFAULT_LIMIT;
  private data: RiskRanking | null = null;
  private error: string | null = null;
  private seq = 0;

  constructor(host: Host, route: Route) {
    super(host);
    this.limit = parseLimit(route.query);
    this.render();
    void this.load();
  }

  title(): string {
    return t('finance.risk.title');
  }

  override update(r: Route): boolean {
    if (r.path[1] !== 'risk' || r.path.length !== 2) return false;
    this.limit = parseLimit(r.query);
    this.data = null;
    this.render();
    void this.load();
    return true;
  }

  private async load(): Promise<void> {
    const seq = ++this.seq;
    this.error = null;
    try {
      const raw = await financeApi.risk(this.limit);
      if (seq !== this.seq) return;
      this.data = normaliseRanking(raw);
    } catch (err) {
      if (seq !== this.seq) return;
      this.error = this.host.fail(err);
      this.data = { scan_id: null, accounts: [], parties: [] };
    }
    this.render();
  }

  private limitForm(): HTMLElement {
    const select = h(
      'select',
      { id: 'fn-risk-limit', name: 'limit' },
      LIMITS.map((n) => h('option', { value: String(n), selected: n === this.limit }, formatNumber(n))),
    );
    return h(
      'form',
      {
        class: 'fn-filter',
        'aria-label': t('finance.risk.limit_form'),
        onsubmit: (e: Event) => {
          e.preventDefault();
          this.host.navigate(riskHash(Number(select.value)));
        },
      },
      h('div', { class: 'field' }, h('label', { for: 'fn-risk-limit' }, t('finance.risk.limit')), select),
      h('button', { type: 'submit', class: 'btn btn-secondary' }, t('finance.risk.show')),
    );
  }

  private accountsTable(rows: RiskAccount[]): HTMLElement {
    const top = topScore(rows);
    return h(
      'section',
      { class: 'fn-risk-section', 'aria-labelledby': 'fn-risk-accounts' },
      h('h2', { id: 'fn-risk-accounts', class: 'fn-sub' }, t('finance.risk.accounts')),
      h(
        'div',
        { class: 'fn-table-wrap' },
        h(
          'table',
          { class: 'fn-table', 'data-testid': 'risk-accounts' },
          h('caption', { class: 'visually-hidden' }, t('finance.risk.accounts_caption', { count: formatNumber(rows.length) })),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['rank', 'account', 'score', 'reasons', 'item'].map((c) => h('th', { scope: 'col' }, t(`finance.risk.col.${c}`))),
            ),
          ),
          h(
            'tbody',
            null,
            rows.map((a) =>
              h(
                'tr',
                { 'data-account': a.account },
                h('td', { class: 'num' }, formatNumber(a.rank)),
                h(
                  'th',
                  { scope: 'row' },
                  h('span', { dir: 'ltr' }, a.account),
                  a.party ? h('span', { class: 'muted fn-party' }, a.party) : null,
                ),
                scoreCell(a.score, top),
                reasonChips(a.reasons),
                h(
                  'td',
                  null,
                  a.item_id != null
                    ? h(
                        'a',
                        { href: `#finance/${a.item_id}`, 'data-testid': 'risk-item-link' },
                        t('finance.number', { id: a.item_id }),
                      )
                    : h('span', { class: 'muted' }, t('finance.risk.no_item')),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  private partiesTable(rows: RiskParty[], items: Map<string, number>): HTMLElement {
    const top = topScore(rows);
    return h(
      'section',
      { class: 'fn-risk-section', 'aria-labelledby': 'fn-risk-parties' },
      h('h2', { id: 'fn-risk-parties', class: 'fn-sub' }, t('finance.risk.parties')),
      rows.length === 0
        ? h('p', { class: 'muted' }, t('finance.risk.no_parties'))
        : h(
            'div',
            { class: 'fn-table-wrap' },
            h(
              'table',
              { class: 'fn-table', 'data-testid': 'risk-parties' },
              h('caption', { class: 'visually-hidden' }, t('finance.risk.parties_caption', { count: formatNumber(rows.length) })),
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  ['rank', 'party', 'score', 'reasons', 'accounts'].map((c) => h('th', { scope: 'col' }, t(`finance.risk.col.${c}`))),
                ),
              ),
              h(
                'tbody',
                null,
                rows.map((p) =>
                  h(
                    'tr',
                    { 'data-party': p.party },
                    h('td', { class: 'num' }, formatNumber(p.rank)),
                    h('th', { scope: 'row' }, p.party || t('finance.risk.unnamed')),
                    scoreCell(p.score, top),
                    reasonChips(p.reasons),
                    h(
                      'td',
                      null,
                      h(
                        'ul',
                        { class: 'fn-accounts' },
                        p.accounts.map((id) => h('li', null, account(id, items.get(id)))),
                      ),
                    ),
                  ),
                ),
              ),
            ),
          ),
    );
  }

  private body(data: RiskRanking): (Node | null)[] {
    if (data.scan_id === null && data.accounts.length === 0) {
      if (this.error) return [];
      return [
        h(
          'div',
          { class: 'fn-empty', 'data-testid': 'risk-empty' },
          h('p', null, t('finance.risk.no_scan')),
          h('p', null, h('a', { href: '#finance/upload' }, t('finance.upload.title'))),
        ),
      ];
    }
    if (data.accounts.length === 0) {
      return [h('p', { class: 'muted fn-empty', 'data-testid': 'risk-empty' }, t('finance.risk.nothing', { scan: data.scan_id ?? '' }))];
    }
    return [
      data.scan_id === null ? null : h('p', { class: 'muted', 'data-testid': 'risk-scan' }, t('finance.risk.scan', { scan: data.scan_id })),
      this.accountsTable(data.accounts),
      this.partiesTable(data.parties, itemsByAccount(data.accounts)),
    ];
  }

  protected view(): (Node | null)[] {
    return [
      pageHead(t('finance.risk.title')),
      subNav('risk'),
      h('p', { class: 'fn-risk-intro' }, t('finance.risk.intro')),
      this.limitForm(),
      alertBox(this.error, 'finance-error'),
      ...(this.data === null ? [h('p', { class: 'muted loading', role: 'status' }, t('app.loading'))] : this.body(this.data)),
    ];
  }
}
