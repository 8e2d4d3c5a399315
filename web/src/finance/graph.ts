// The network graph of a subject: accounts as nodes on rings by hop distance (a deterministic
// radial layout: each ring ordered by account id), payments as edges whose width grows with the
// amount. A node is a button: click, Enter or Space asks for its neighbours, which join the
// graph one ring further out. The table of edges beside it is the text alternative.
import { h } from '../dom';
import { currentLocale, formatNumber, t } from '../i18n';
import { money, when, type Network, type NetworkEdge, type NetworkNode } from './api';

export const SIZE = 640;
export const MAX_NODES = 150;

export interface Point {
  x: number;
  y: number;
}

/** Positions on rings around the centre: hop 0 in the middle, ring k at radius k * gap. */
export function radialLayout(nodes: readonly { id: string; hops: number }[], size = SIZE): Map<string, Point> {
  const centre = size / 2;
  const maxHop = nodes.reduce((m, n) => Math.max(m, n.hops), 0);
  const gap = maxHop > 0 ? (size / 2 - 40) / maxHop : 0;
  const rings = new Map<number, string[]>();
  for (const n of nodes) rings.set(n.hops, [...(rings.get(n.hops) ?? []), n.id]);
  const out = new Map<string, Point>();
  for (const [hop, ids] of rings) {
    ids.sort();
    const turn = hop * 0.35; // offset rings so that edges between them do not all line up
    ids.forEach((id, i) => {
      if (hop === 0 && ids.length === 1) {
        out.set(id, { x: centre, y: centre });
        return;
      }
      const angle = turn + (2 * Math.PI * i) / ids.length;
      const r = Math.max(hop, 0.5) * gap;
      out.set(id, { x: round(centre + r * Math.cos(angle)), y: round(centre + r * Math.sin(angle)) });
    });
  }
  return out;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Stroke width 1..6, by the edge's total relative to the largest (log scale). */
export function edgeWidth(total: number, max: number): number {
  if (max <= 1 || total <= 1) return 1;
  return round(1 + (5 * Math.log(total)) / Math.log(max));
}

/** The accounts and edges seen so far; expanding a node merges its neighbourhood. */
export class GraphState {
  readonly nodes = new Map<string, NetworkNode>();
  readonly edges = new Map<string, NetworkEdge>();
  readonly expanded = new Set<string>();
  truncated = false;

  constructor(network: Network) {
    this.merge(network, 0);
    this.expanded.add(network.subject);
  }

  /** Adds a neighbourhood fetched around one of the nodes; returns how many accounts are new. */
  merge(network: Network, baseHop: number): number {
    let added = 0;
    for (const n of network.nodes) {
      if (this.nodes.has(n.id)) continue;
      if (this.nodes.size >= MAX_NODES) {
        this.truncated = true;
        continue;
      }
      this.nodes.set(n.id, { ...n, hops: baseHop + n.hops });
      ++added;
    }
    for (const e of network.edges) {
      if (this.nodes.has(e.from) && this.nodes.has(e.to)) this.edges.set(`${e.from}\u0000${e.to}`, e);
    }
    if (network.truncated) this.truncated = true;
    return added;
  }
}

const SVG = 'http://www.w3.org/2000/svg';

function s(tag: string, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

function short(id: string): string {
  return id.length > 12 ? `${id.slice(0, 11)}…` : id;
}

/** The SVG picture; `onExpand` is called with an account id when a node is chosen. */
export function graphView(state: GraphState, subject: string, onExpand: (id: string) => void): SVGElement {
  const nodes = [...state.nodes.values()];
  const at = radialLayout(nodes);
  const edges = [...state.edges.values()];
  const max = edges.reduce((m, e) => Math.max(m, e.total_minor), 0);
  const svg = s('svg', {
    class: 'fn-graph',
    viewBox: `0 0 ${SIZE} ${SIZE}`,
    role: 'group',
    'aria-label': t('finance.graph.label', { subject, count: nodes.length }),
    'data-testid': 'network-graph',
  });
  svg.append(
    s(
      'defs',
      {},
      s(
        'marker',
        { id: 'fn-arrow', viewBox: '0 0 10 10', refX: 18, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' },
        s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'fn-arrow' }),
      ),
    ),
  );
  const lines = s('g', { class: 'fn-edges', 'aria-hidden': 'true' });
  for (const e of edges) {
    const a = at.get(e.from);
    const b = at.get(e.to);
    if (!a || !b) continue;
    lines.append(
      s('line', {
        x1: a.x,
        y1: a.y,
        x2: b.x,
        y2: b.y,
        'stroke-width': edgeWidth(e.total_minor, max),
        'marker-end': 'url(#fn-arrow)',
        class: 'fn-edge',
      }),
    );
  }
  svg.append(lines);
  const group = s('g', { class: 'fn-nodes' });
  for (const n of nodes.sort((x, y) => x.hops - y.hops || (x.id < y.id ? -1 : 1))) {
    const p = at.get(n.id)!;
    const done = state.expanded.has(n.id);
    const label = t(done ? 'finance.graph.node_done' : 'finance.graph.node', {
      account: n.id,
      party: n.party || '—',
      hops: n.hops,
    });
    const node = s(
      'g',
      {
        class: `fn-node${n.id === subject ? ' is-subject' : ''}${done ? ' is-expanded' : ''}`,
        transform: `translate(${p.x} ${p.y})`,
        tabindex: 0,
        role: 'button',
        'aria-label': label,
        'data-account': n.id,
      },
      s('title', {}, label),
      s('circle', { r: n.id === subject ? 14 : 10 }),
      s('text', { y: 26, 'text-anchor': 'middle' }, short(n.id)),
    );
    node.addEventListener('click', () => onExpand(n.id));
    node.addEventListener('keydown', (ev) => {
      const k = (ev as KeyboardEvent).key;
      if (k === 'Enter' || k === ' ') {
        ev.preventDefault();
        onExpand(n.id);
      }
    });
    group.append(node);
  }
  svg.append(group);
  return svg;
}

/** The edges as a table: the picture's text alternative. */
export function edgeTable(state: GraphState, currency: string): HTMLElement {
  const locale = currentLocale();
  const rows = [...state.edges.values()].sort((a, b) => b.total_minor - a.total_minor);
  return h(
    'div',
    { class: 'fn-table-wrap' },
    h(
      'table',
      { class: 'fn-table', 'data-testid': 'network-edges' },
      h('caption', null, t('finance.graph.edges', { count: rows.length })),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['from', 'to', 'count', 'total', 'first', 'last'].map((c) => h('th', { scope: 'col' }, t(`finance.edge.${c}`))),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((e) =>
          h(
            'tr',
            null,
            h('td', { dir: 'ltr' }, e.from),
            h('td', { dir: 'ltr' }, e.to),
            h('td', { class: 'num' }, formatNumber(e.count)),
            h('td', { class: 'num' }, money(e.total_minor, currency, locale)),
            h('td', null, when(e.first_time, locale)),
            h('td', null, when(e.last_time, locale)),
          ),
        ),
      ),
    ),
  );
}
