// One review item: the explanation of the hit (the rule, its thresholds, the transactions), the
// subject's network as a graph with a table of its edges, and the decision: escalate to a goAML
// STR (then downloadable) or dismiss with a reason.
import { h } from '../dom';
import { currentLocale, formatNumber, t } from '../i18n';
import { Page, type Host } from '../page';
import { alertBox } from '../views/common';
import { ApiError } from '../api';
import { financeApi, money, strUrl, typologyName, when, type ItemDetail } from './api';
import { GraphState, MAX_NODES, edgeTable, graphView } from './graph';
import { pageHead, statusChip, subNav } from './shared';

const MAX_REASON = 2000;

export class ItemPage extends Page {
  readonly section = 'finance';
  private item: ItemDetail | null = null;
  private error: string | null = null;
  private graph: GraphState | null = null;
  private graphError: string | null = null;
  private graphNotice: string | null = null;
  private hops = 1;
  private reason = '';
  private reasonError: string | null = null;
  private decisionError: string | null = null;
  private busy = false;
  private notFound = false;

  constructor(
    host: Host,
    private readonly id: number,
  ) {
    super(host);
    this.render();
    void this.load();
  }

  title(): string {
    return t('finance.number', { id: this.id });
  }

  private async load(): Promise<void> {
    try {
      this.item = await financeApi.item(this.id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.notFound = true;
      else this.error = this.host.fail(err);
    }
    this.render('h1');
    if (this.item) await this.loadGraph();
  }

  private async loadGraph(): Promise<void> {
    this.graphError = null;
    this.graphNotice = null;
    try {
      this.graph = new GraphState(await financeApi.network(this.id, this.hops));
    } catch (err) {
      this.graphError = this.host.fail(err);
    }
    this.render();
  }

  private async expand(account: string): Promise<void> {
    const graph = this.graph;
    if (!graph || graph.expanded.has(account) || this.busy) return;
    const base = graph.nodes.get(account)?.hops ?? 0;
    this.busy = true;
    try {
      const added = graph.merge(await financeApi.network(this.id, 1, account), base);
      graph.expanded.add(account);
      this.graphNotice = t('finance.graph.expanded', { account, count: added });
    } catch (err) {
      this.graphError = this.host.fail(err);
    }
    this.busy = false;
    this.render(`[data-account="${CSS.escape(account)}"]`);
  }

  private async decide(action: 'escalate' | 'dismiss'): Promise<void> {
    this.reasonError = null;
    this.decisionError = null;
    if (action === 'dismiss' && !this.reason.trim()) {
      this.reasonError = t('finance.decision.reason_required');
      this.render('#fn-reason');
      return;
    }
    this.busy = true;
    this.render();
    try {
      await financeApi.decide(this.id, action, action === 'dismiss' ? this.reason : undefined);
      this.item = await financeApi.item(this.id);
      this.reason = '';
    } catch (err) {
      this.decisionError = err instanceof ApiError && err.status === 409 ? t('finance.decision.conflict') : this.host.fail(err);
    }
    this.busy = false;
    this.render('#fn-decision-h');
  }

  private explanation(it: ItemDetail): HTMLElement {
    const locale = currentLocale();
    const params = Object.entries(it.rule?.parameters ?? {});
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': 'fn-expl-h', 'data-testid': 'explanation' },
      h('h2', { id: 'fn-expl-h', class: 'section-title' }, t('finance.explanation')),
      h('p', { class: 'fn-explanation', dir: 'ltr' }, it.explanation),
      h(
        'dl',
        { class: 'fn-facts' },
        h('dt', null, t('finance.col.typology')),
        h('dd', null, typologyName(it.typology), ' ', h('span', { class: 'muted' }, it.red_flag ? t('finance.kind.red_flag') : t('finance.kind.pattern'))),
        h('dt', null, t('finance.col.subject')),
        h('dd', null, h('span', { dir: 'ltr' }, it.subject), it.party ? ` (${it.party})` : ''),
        h('dt', null, t('finance.col.score')),
        h('dd', null, formatNumber(it.subject_score), ' ', h('span', { class: 'muted' }, t('finance.rule.points', { points: it.rule?.risk_points ?? 0 }))),
        h('dt', null, t('finance.col.total')),
        h('dd', null, money(it.total_minor, it.transactions[0]?.currency ?? '', locale)),
        h('dt', null, t('finance.period')),
        h('dd', null, `${when(it.first_time, locale)} – ${when(it.last_time, locale)}`),
      ),
      h('h3', { class: 'fn-sub' }, t('finance.rule.title')),
      params.length
        ? h(
            'table',
            { class: 'fn-table fn-rule', 'data-testid': 'rule' },
            h('caption', { class: 'visually-hidden' }, t('finance.rule.title')),
            h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('finance.rule.parameter')), h('th', { scope: 'col' }, t('finance.rule.value')))),
            h(
              'tbody',
              null,
              params.map(([k, v]) => h('tr', null, h('th', { scope: 'row', dir: 'ltr' }, k), h('td', { dir: 'ltr' }, typeof v === 'object' ? JSON.stringify(v) : String(v)))),
            ),
          )
        : h('p', { class: 'muted' }, t('finance.rule.none')),
      it.rule?.typologies_version ? h('p', { class: 'muted' }, t('finance.rule.version', { version: it.rule.typologies_version })) : null,
    );
  }

  private transactions(it: ItemDetail): HTMLElement {
    const locale = currentLocale();
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': 'fn-tx-h' },
      h('h2', { id: 'fn-tx-h', class: 'section-title' }, t('finance.transactions', { count: it.transaction_count })),
      h(
        'div',
        { class: 'fn-table-wrap' },
        h(
          'table',
          { class: 'fn-table', 'data-testid': 'transactions' },
          h('caption', { class: 'visually-hidden' }, t('finance.transactions', { count: it.transaction_count })),
          h(
            'thead',
            null,
            h('tr', null, ['id', 'time', 'from', 'to', 'amount', 'channel', 'location'].map((c) => h('th', { scope: 'col' }, t(`finance.tx.${c}`)))),
          ),
          h(
            'tbody',
            null,
            it.transactions.map((x) =>
              h(
                'tr',
                null,
                h('td', { dir: 'ltr' }, x.id),
                h('td', null, when(x.time, locale)),
                h('td', { dir: 'ltr' }, x.from ?? t('finance.tx.cash')),
                h('td', { dir: 'ltr' }, x.to ?? t('finance.tx.cash')),
                h('td', { class: 'num' }, money(x.amount_minor, x.currency, locale)),
                h('td', null, x.channel),
                h('td', null, x.location || '—'),
              ),
            ),
          ),
        ),
      ),
      it.transactions_truncated ? h('p', { class: 'muted' }, t('finance.tx.truncated', { count: it.transactions.length })) : null,
    );
  }

  private network(it: ItemDetail): HTMLElement {
    const hops = h(
      'select',
      {
        id: 'fn-hops',
        onchange: () => {
          this.hops = Number(hops.value);
          void this.loadGraph();
        },
      },
      [1, 2, 3].map((n) => h('option', { value: n, selected: n === this.hops }, formatNumber(n))),
    );
    const g = this.graph;
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': 'fn-net-h' },
      h('h2', { id: 'fn-net-h', class: 'section-title' }, t('finance.graph.title')),
      h('p', { class: 'muted' }, t('finance.graph.help')),
      h('div', { class: 'field fn-hops' }, h('label', { for: 'fn-hops' }, t('finance.graph.hops')), hops),
      alertBox(this.graphError, 'fn-graph-error'),
      h('p', { class: 'visually-hidden', role: 'status' }, this.graphNotice ?? ''),
      g
        ? h(
            'div',
            { class: 'fn-graph-wrap' },
            graphView(g, it.subject, (account) => void this.expand(account)),
            g.truncated ? h('p', { class: 'muted' }, t('finance.graph.truncated', { max: MAX_NODES })) : null,
            edgeTable(g, it.transactions[0]?.currency ?? ''),
          )
        : this.graphError
          ? null
          : h('p', { class: 'muted loading', role: 'status' }, t('app.loading')),
    );
  }

  private decision(it: ItemDetail): HTMLElement {
    let body: (Node | null)[];
    if (it.status === 'new') {
      const reason = h('textarea', {
        id: 'fn-reason',
        name: 'reason',
        rows: 3,
        maxlength: MAX_REASON,
        'aria-invalid': this.reasonError ? 'true' : null,
        'aria-describedby': this.reasonError ? 'fn-reason-error' : null,
        oninput: () => {
          this.reason = reason.value;
        },
      });
      reason.value = this.reason;
      body = [
        h('p', { class: 'muted' }, t('finance.decision.help')),
        h(
          'div',
          { class: 'fn-actions' },
          h(
            'button',
            { type: 'button', class: 'btn btn-primary', id: 'fn-escalate', disabled: this.busy, onclick: () => void this.decide('escalate') },
            t('finance.decision.escalate'),
          ),
        ),
        h(
          'form',
          {
            class: 'fn-dismiss',
            onsubmit: (e: Event) => {
              e.preventDefault();
              void this.decide('dismiss');
            },
          },
          h(
            'div',
            { class: 'field' },
            h('label', { for: 'fn-reason' }, t('finance.decision.reason')),
            reason,
            this.reasonError ? h('p', { id: 'fn-reason-error', class: 'field-error' }, this.reasonError) : null,
          ),
          h('button', { type: 'submit', class: 'btn btn-secondary', id: 'fn-dismiss', disabled: this.busy }, t('finance.decision.dismiss')),
        ),
      ];
    } else if (it.status === 'escalated') {
      body = [
        h('p', null, t('finance.decision.escalated_at', { when: when(it.decided_at, currentLocale()) })),
        h('p', null, h('a', { href: strUrl(it.id), download: `str-item-${it.id}.xml`, class: 'btn btn-primary', id: 'fn-str' }, t('finance.decision.download'))),
      ];
    } else {
      body = [
        h('p', null, t('finance.decision.dismissed_at', { when: when(it.decided_at, currentLocale()) })),
        h('blockquote', { class: 'fn-reason-text' }, it.reason ?? ''),
      ];
    }
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': 'fn-decision-h', 'data-testid': 'decision' },
      h('h2', { id: 'fn-decision-h', class: 'section-title', tabindex: '-1' }, t('finance.decision.title')),
      alertBox(this.decisionError, 'fn-decision-error'),
      ...body,
    );
  }

  protected view(): (Node | null)[] {
    if (this.notFound) {
      return [pageHead(t('errors.not_found')), h('p', null, h('a', { href: '#finance' }, t('finance.back')))];
    }
    const it = this.item;
    return [
      pageHead(t('finance.number', { id: this.id }), it ? statusChip(it.status) : null),
      subNav('item'),
      h('p', null, h('a', { href: '#finance' }, t('finance.back'))),
      alertBox(this.error, 'finance-error'),
      it
        ? h('div', { class: 'fn-item' }, this.explanation(it), this.decision(it), this.transactions(it), this.network(it))
        : this.error
          ? null
          : h('p', { class: 'muted loading', role: 'status' }, t('app.loading')),
    ];
  }
}
