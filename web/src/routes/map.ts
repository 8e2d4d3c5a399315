// The route map (#routes): countries from world-atlas drawn with d3-geo, corridors as arcs leg by
// leg whose width follows the persons counted on the leg, incidents as points sized by dead and
// missing, a month slider, a legend and a table of the corridors beside it (the text version).
// Everything is bundled: the map makes no request outside the app's own API.
import { geoNaturalEarth1, geoPath, type GeoProjection } from 'd3-geo';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import world from 'world-atlas/countries-110m.json';
import { h } from '../dom';
import { t } from '../i18n';
import { Page, type Host } from '../page';
import { alertBox } from '../views/common';
import { monthsBetween, routesApi, type Corridor, type CorridorList, type FlowFigure, type Incident } from './api';
import { countryCodes, countryName } from './countries';
import { corridorName, countryPath, loading, monthName, num } from './shared';
import { arcPath, flowWidth, incidentRadius, s, type Point } from './svg';

const WIDTH = 960;
const HEIGHT = 560;
const WINDOWS = [1, 3, 12] as const;
// Distinct colours for the corridors' arcs (dark enough on the pale land and sea).
const PALETTE = ['#1b6ca8', '#b5403a', '#2e7d32', '#8e44ad', '#c0620a', '#00796b', '#6d4c41', '#ad1457', '#455a64', '#7b7b00', '#3949ab', '#d84315', '#00838f'];

interface Base {
  countries: { id: string; d: string; corridor: boolean }[];
  projection: GeoProjection;
}

let base: Base | null = null;

/** Country shapes and a projection fitted to the corridor countries (built once). */
function mapBase(corridors: Corridor[]): Base {
  if (base) return base;
  const topo = world as unknown as Topology<{ countries: GeometryCollection }>;
  const shapes = feature(topo, topo.objects.countries) as unknown as GeoJSON.FeatureCollection;
  const a3s = [...new Set(corridors.flatMap((c) => c.countries))];
  const wanted = new Set(a3s.map((a3) => countryCodes(a3)?.numeric ?? ''));
  // Fitted to the corridors' anchors with a margin around them, not to whole countries: Russia
  // alone would stretch the view to the Pacific.
  const margin = 6;
  const around = a3s.flatMap((a3) => {
    const p = countryCodes(a3)?.anchor;
    return p
      ? [
          [p[0] - margin, p[1] - margin],
          [p[0] + margin, p[1] + margin],
        ]
      : [];
  });
  const projection = geoNaturalEarth1();
  if (around.length) {
    projection.fitExtent(
      [
        [8, 8],
        [WIDTH - 8, HEIGHT - 8],
      ],
      { type: 'MultiPoint', coordinates: around },
    );
  } else {
    projection.fitExtent(
      [
        [8, 8],
        [WIDTH - 8, HEIGHT - 8],
      ],
      shapes,
    );
  }
  const path = geoPath(projection);
  const countries = shapes.features
    .map((f) => ({ id: String(f.id ?? ''), d: path(f) ?? '', corridor: wanted.has(String(f.id)) }))
    .filter((c) => c.d);
  base = { countries, projection };
  return base;
}

export class MapPage extends Page {
  readonly section = 'routes';
  private list: CorridorList | null = null;
  private months: string[] = [];
  private index = 0;
  private window: number = 1;
  private flows: FlowFigure[] | null = null;
  private incidents: Incident[] | null = null;
  private error: string | null = null;
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private dataBox: HTMLElement = h('div');

  constructor(host: Host) {
    super(host);
    this.render();
    void this.load();
  }

  title(): string {
    return t('routes.map.title');
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    super.dispose();
  }

  private async load(): Promise<void> {
    try {
      this.list = await routesApi.corridors();
      this.months = monthsBetween(this.list.months.first, this.list.months.last);
      this.index = Math.max(0, this.months.length - 1);
    } catch (err) {
      this.error = this.host.fail(err);
    }
    this.render();
    if (this.months.length) await this.loadPeriod();
  }

  /** The chosen window of months: [from, to]. */
  private period(): [string, string] {
    const to = this.months[this.index] ?? '';
    const from = this.months[Math.max(0, this.index - this.window + 1)] ?? to;
    return [from, to];
  }

  private async loadPeriod(): Promise<void> {
    const seq = ++this.seq;
    const [from, to] = this.period();
    try {
      const [f, i] = await Promise.all([routesApi.flows(from, to), routesApi.incidents(from, to)]);
      if (seq !== this.seq || this.disposed) return;
      this.flows = f.flows ?? [];
      this.incidents = i.incidents ?? [];
      this.error = null;
    } catch (err) {
      if (seq !== this.seq || this.disposed) return;
      this.error = this.host.fail(err);
    }
    this.fillData();
  }

  /** The slider moved: the label follows at once, the data after a short pause. */
  private choose(index: number, windowMonths = this.window): void {
    this.index = index;
    this.window = windowMonths;
    const out = this.el.querySelector('#rt-month-value');
    if (out) out.textContent = this.periodText();
    const slider = this.el.querySelector('#rt-month');
    slider?.setAttribute('aria-valuetext', this.periodText());
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.loadPeriod(), 150);
  }

  private periodText(): string {
    const [from, to] = this.period();
    return from === to ? monthName(to) : t('routes.map.period_range', { from: monthName(from), to: monthName(to) });
  }

  private open(id: string): void {
    this.host.navigate(`#routes/corridor/${encodeURIComponent(id)}`);
  }

  /** Persons counted per corridor and per leg in the chosen period. */
  private totals(): { corridor: Map<string, number>; leg: Map<string, number>; maxLeg: number } {
    const corridor = new Map<string, number>();
    const leg = new Map<string, number>();
    for (const f of this.flows ?? []) {
      corridor.set(f.corridor, (corridor.get(f.corridor) ?? 0) + f.persons);
      const key = `${f.corridor}|${f.leg}`;
      leg.set(key, (leg.get(key) ?? 0) + f.persons);
    }
    return { corridor, leg, maxLeg: Math.max(0, ...leg.values()) };
  }

  private controls(): HTMLElement {
    const last = Math.max(0, this.months.length - 1);
    return h(
      'div',
      { class: 'rt-controls' },
      h(
        'div',
        { class: 'field rt-slider' },
        h('label', { for: 'rt-month' }, t('routes.map.month')),
        h('input', {
          id: 'rt-month',
          type: 'range',
          min: 0,
          max: last,
          step: 1,
          value: String(this.index),
          'aria-valuetext': this.periodText(),
          'aria-describedby': 'rt-month-value',
          oninput: (e: Event) => this.choose(Number((e.target as HTMLInputElement).value)),
        }),
        h('output', { id: 'rt-month-value', for: 'rt-month', class: 'rt-month-value' }, this.periodText()),
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'rt-window' }, t('routes.map.window')),
        h(
          'select',
          {
            id: 'rt-window',
            onchange: (e: Event) => this.choose(this.index, Number((e.target as HTMLSelectElement).value)),
          },
          WINDOWS.map((w) => h('option', { value: String(w), selected: w === this.window }, t(`routes.map.window_${w}`))),
        ),
      ),
    );
  }

  private mapSvg(corridors: Corridor[]): SVGSVGElement {
    const { countries, projection } = mapBase(corridors);
    const totals = this.totals();
    const at = (a3: string): Point | null => {
      const anchor = countryCodes(a3)?.anchor;
      const p = anchor ? projection(anchor) : null;
      return p ? [p[0], p[1]] : null;
    };
    const arcs = corridors.map((c, k) => {
      const colour = PALETTE[k % PALETTE.length];
      const bend = (k % 2 ? -1 : 1) * (0.08 + 0.04 * (k % 3));
      const legs: SVGPathElement[] = [];
      for (let i = 0; i + 1 < c.countries.length; i++) {
        const a = at(c.countries[i]);
        const b = at(c.countries[i + 1]);
        if (!a || !b) continue;
        const persons = totals.leg.get(`${c.id}|${c.countries[i]}>${c.countries[i + 1]}`) ?? 0;
        legs.push(
          s('path', {
            d: arcPath(a, b, bend),
            class: persons > 0 ? 'rt-leg' : 'rt-leg is-empty',
            stroke: colour,
            'stroke-width': flowWidth(persons, totals.maxLeg),
            fill: 'none',
          }),
        );
      }
      const name = corridorName(c.id, c.name);
      const persons = totals.corridor.get(c.id) ?? 0;
      return s(
        'g',
        {
          class: 'rt-arc',
          role: 'link',
          tabindex: 0,
          'data-corridor': c.id,
          'aria-label': t('routes.map.arc_label', { name, persons: num(persons) }),
          onclick: () => this.open(c.id),
          onkeydown: (e: Event) => {
            const key = (e as KeyboardEvent).key;
            if (key === 'Enter' || key === ' ') {
              e.preventDefault();
              this.open(c.id);
            }
          },
        },
        s('title', null, `${name}: ${t('routes.map.persons', { n: num(persons) })}`),
        legs,
      );
    });
    const incidents = (this.incidents ?? []).filter((i) => i.lat !== null && i.lon !== null);
    const victims = (i: Incident) => (i.dead ?? 0) + (i.missing ?? 0);
    const maxVictims = Math.max(0, ...incidents.map(victims));
    const points = incidents.map((i) => {
      const p = projection([i.lon!, i.lat!]);
      return p
        ? s('circle', {
            class: 'rt-incident',
            cx: Math.round(p[0] * 10) / 10,
            cy: Math.round(p[1] * 10) / 10,
            r: incidentRadius(victims(i), maxVictims),
          })
        : null;
    });
    return s(
      'svg',
      {
        class: 'rt-map',
        viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
        role: 'group',
        'aria-labelledby': 'rt-map-caption',
        'data-testid': 'route-map',
      },
      s('rect', { class: 'rt-sea', x: 0, y: 0, width: WIDTH, height: HEIGHT }),
      s(
        'g',
        { 'aria-hidden': 'true' },
        countries.map((c) =>
          s('path', { d: c.d, class: c.corridor ? 'rt-country is-corridor' : 'rt-country', 'data-country': c.id }),
        ),
      ),
      s('g', { class: 'rt-arcs' }, arcs),
      s('g', { class: 'rt-incidents', 'aria-hidden': 'true' }, points),
    );
  }

  private legend(): HTMLElement {
    const totals = this.totals();
    const sample = (persons: number) =>
      h(
        'li',
        null,
        s(
          'svg',
          { class: 'rt-legend-mark', viewBox: '0 0 40 16', width: 40, height: 16, 'aria-hidden': 'true' },
          s('line', { x1: 2, y1: 8, x2: 38, y2: 8, class: 'rt-leg', stroke: '#1b6ca8', 'stroke-width': flowWidth(persons, totals.maxLeg) }),
        ),
        t('routes.map.persons', { n: num(persons) }),
      );
    const max = totals.maxLeg;
    return h(
      'section',
      { class: 'rt-legend', 'aria-labelledby': 'rt-legend-h' },
      h('h2', { id: 'rt-legend-h', class: 'section-title' }, t('routes.map.legend')),
      h('p', null, t('routes.map.legend_arcs')),
      max > 0 ? h('ul', { class: 'rt-legend-list' }, [max, Math.round(max / 4)].map(sample)) : null,
      h(
        'ul',
        { class: 'rt-legend-list' },
        h(
          'li',
          null,
          s(
            'svg',
            { class: 'rt-legend-mark', viewBox: '0 0 40 16', width: 40, height: 16, 'aria-hidden': 'true' },
            s('line', { x1: 2, y1: 8, x2: 38, y2: 8, class: 'rt-leg is-empty', stroke: '#455a64', 'stroke-width': 1.5 }),
          ),
          t('routes.map.legend_no_flow'),
        ),
        h(
          'li',
          null,
          s(
            'svg',
            { class: 'rt-legend-mark', viewBox: '0 0 40 16', width: 40, height: 16, 'aria-hidden': 'true' },
            s('circle', { cx: 20, cy: 8, r: 6, class: 'rt-incident' }),
          ),
          t('routes.map.legend_incident'),
        ),
      ),
    );
  }

  private table(corridors: Corridor[]): HTMLElement {
    const totals = this.totals();
    return h(
      'div',
      { class: 'rt-table-wrap' },
      h(
        'table',
        { class: 'rt-table', 'data-testid': 'corridor-table' },
        h('caption', null, t('routes.map.table_caption', { period: this.periodText() })),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ['corridor', 'countries', 'latest', 'persons'].map((c) => h('th', { scope: 'col' }, t(`routes.map.col.${c}`))),
          ),
        ),
        h(
          'tbody',
          null,
          corridors.map((c) =>
            h(
              'tr',
              { 'data-corridor': c.id },
              h('th', { scope: 'row' }, h('a', { href: `#routes/corridor/${encodeURIComponent(c.id)}` }, corridorName(c.id, c.name))),
              h('td', null, countryPath(c.countries.map(countryName))),
              h(
                'td',
                { class: 'num' },
                c.latest_period && c.nationalities.length ? t('routes.map.latest', { n: num(c.latest_total), month: monthName(c.latest_period, 'short') }) : '–',
              ),
              h('td', { class: 'num' }, totals.corridor.has(c.id) ? num(totals.corridor.get(c.id)!) : '–'),
            ),
          ),
        ),
      ),
    );
  }

  /** Redraws what depends on the chosen period: the map, its summary, the legend, the table. */
  private fillData(): void {
    if (this.disposed || !this.list) return;
    const corridors = this.list.corridors;
    const incidents = this.incidents ?? [];
    const victims = incidents.reduce((sum, i) => sum + (i.dead ?? 0) + (i.missing ?? 0), 0);
    this.dataBox.replaceChildren(
      ...[
        alertBox(this.error, 'routes-error'),
        h(
          'div',
          { class: 'rt-layout' },
          h(
            'figure',
            { class: 'rt-figure' },
            this.mapSvg(corridors),
            h(
              'figcaption',
              { id: 'rt-map-caption' },
              this.flows === null
                ? t('app.loading')
                : t('routes.map.summary', {
                    period: this.periodText(),
                    incidents: num(incidents.length),
                    victims: num(victims),
                  }),
            ),
          ),
          h('div', { class: 'rt-side' }, this.legend()),
        ),
        h('h2', { class: 'section-title' }, t('routes.map.table_title')),
        this.table(corridors),
      ],
    );
  }

  protected view(): (Node | null)[] {
    this.dataBox = h('div', { class: 'rt-data' });
    const list = this.list;
    if (list) this.fillData();
    return [
      h('h1', { class: 'page-title', tabindex: '-1' }, t('routes.map.title')),
      h('p', { class: 'muted' }, t('routes.map.intro')),
      list === null
        ? this.error
          ? alertBox(this.error, 'routes-error')
          : loading()
        : this.months.length === 0
          ? h('p', { class: 'muted' }, t('routes.map.empty'))
          : this.controls(),
      list && this.months.length ? this.dataBox : null,
    ];
  }
}
