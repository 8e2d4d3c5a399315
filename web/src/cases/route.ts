// The route travelled, drawn as a strip of countries joined by arrows (no map, no tiles).
// The arrow into a country shows how that border was crossed: regular, irregular, not recorded.
import { h } from '../dom';
import { currentLocale, localeInfo, t } from '../i18n';
import type { Leg } from './api';
import { codeLabel, countryName, formatDay } from './ref';

const NS = 'http://www.w3.org/2000/svg';
const STEP = 168;
const HEIGHT = 118;
const NODE_Y = 44;
const FLUID_MAX = 5;

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Keeps a run of text in its own direction inside text of the other (a Latin place in Arabic). */
function isolate(s: string): string {
  return `\u2068${s}\u2069`;
}

function crossingClass(leg: Leg): string {
  if (leg.regular_crossing === true) return 'regular';
  if (leg.regular_crossing === false) return 'irregular';
  return 'unknown';
}

/** The strip for a full route (legs) or a pseudonymous one (countries only). */
export function routeStrip(legs: Leg[], withCrossings = true): HTMLElement {
  if (legs.length === 0) return h('p', { class: 'muted' }, t('cases.route.none'));
  const rtl = localeInfo(currentLocale()).dir === 'rtl';
  const width = legs.length * STEP;
  const xOf = (i: number) => (rtl ? width - STEP / 2 - i * STEP : STEP / 2 + i * STEP);
  const names = legs.map((l) => countryName(l.country));
  // Short routes shrink to fit the box; long ones keep their size and scroll.
  const fluid = legs.length <= FLUID_MAX;
  const root = svg('svg', {
    class: `route-svg${fluid ? ` route-svg-fluid route-n-${legs.length}` : ''}`,
    viewBox: `0 0 ${width} ${HEIGHT}`,
    role: 'img',
    'aria-labelledby': 'route-svg-title',
    width,
    height: HEIGHT,
  });
  root.append(
    svg('title', { id: 'route-svg-title' }, t('cases.route.summary', { route: names.join(rtl ? ' ← ' : ' → ') })),
    svg(
      'defs',
      {},
      ...['regular', 'irregular', 'unknown'].map((kind) =>
        svg(
          'marker',
          { id: `route-head-${kind}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
          svg('path', { d: 'M0,0 L10,5 L0,10 z', class: `route-head route-head-${kind}` }),
        ),
      ),
    ),
  );
  legs.forEach((leg, i) => {
    const x = xOf(i);
    if (i > 0) {
      const from = xOf(i - 1);
      const dir = rtl ? -1 : 1;
      const kind = crossingClass(leg);
      root.append(
        svg('line', {
          x1: from + dir * 36,
          y1: NODE_Y,
          x2: x - dir * 38,
          y2: NODE_Y,
          class: `route-arrow route-arrow-${kind}`,
          'marker-end': `url(#route-head-${kind})`,
        }),
      );
      if (leg.transport) {
        root.append(svg('text', { x: (from + x) / 2, y: NODE_Y - 10, class: 'route-transport', 'text-anchor': 'middle' }, clip(codeLabel('transport', leg.transport), 16)));
      }
      if (kind === 'irregular') {
        root.append(svg('text', { x: (from + x) / 2, y: NODE_Y + 18, class: 'route-irregular', 'text-anchor': 'middle' }, clip(t('cases.leg.irregular'), 18)));
      }
    }
    const first = i === 0;
    const last = i === legs.length - 1;
    root.append(
      svg('rect', {
        x: x - 30,
        y: NODE_Y - 16,
        width: 60,
        height: 32,
        rx: 16,
        class: `route-node${first ? ' route-node-origin' : ''}${last && !first ? ' route-node-last' : ''}`,
      }),
      svg('text', { x, y: NODE_Y + 5, class: 'route-code', 'text-anchor': 'middle' }, leg.country),
      svg('text', { x, y: NODE_Y + 38, class: 'route-name', 'text-anchor': 'middle' }, clip(names[i], 22)),
    );
    const when = formatDay(leg.date_from || leg.date_to);
    if (when || leg.place) {
      root.append(svg('text', { x, y: NODE_Y + 56, class: 'route-when', 'text-anchor': 'middle' }, [leg.place ? clip(leg.place, 14) : '', when].filter(Boolean).map(isolate).join(' · ')));
    }
  });
  return h(
    'figure',
    { class: 'route' },
    h('div', { class: 'route-scroll', tabindex: '0', 'aria-label': t('cases.section.route') }, root),
    withCrossings
      ? h(
      'figcaption',
      { class: 'route-legend' },
      h('span', { class: 'legend-item legend-regular' }, t('cases.leg.regular')),
      h('span', { class: 'legend-item legend-irregular' }, t('cases.leg.irregular')),
      h('span', { class: 'legend-item legend-unknown' }, t('cases.leg.crossing_unknown')),
    )
      : null,
  );
}
