// A corridor's page (#routes/corridor/<id>?nationality=&method=): its monthly detections with the
// chosen method's expected count, upper bound and alarms as a chart, the alarms listed, the
// latest figures with coverage and lag, and every month in a table under the chart.
import { h } from '../dom';
import { t } from '../i18n';
import { Page, type Host, type Route } from '../page';
import { alertBox } from '../views/common';
import { routesApi, type CorridorList, type Series, type SeriesPoint } from './api';
import { seriesChart } from './chart';
import { countryName } from './countries';
import { corridorName, countryPath, loading, methodName, monthName, num } from './shared';

/** Months shown: the ones the methods watch. */
const SHOWN = 36;
const DEFAULT_METHOD = 'ears_c2';

export class CorridorPage extends Page {
  readonly section = 'routes';
  private list: CorridorList | null = null;
  private series: Series | null = null;
  private error: string | null = null;
  private nationality: string;
  private method: string;
  private seq = 0;

  constructor(
    host: Host,
    private readonly id: string,
    route: Route,
  ) {
    super(host);
    this.nationality = route.query.get('nationality') ?? '';
    this.method = route.query.get('method') ?? DEFAULT_METHOD;
    this.render();
    void this.load();
  }

  private name(): string {
    const c = this.list?.corridors.find((x) => x.id === this.id);
    return corridorName(this.id, c?.name ?? this.id);
  }

  title(): string {
    return this.name();
  }

  override update(r: Route): boolean {
    if (r.path[1] !== 'corridor' || r.path[2] !== this.id) return false;
    this.nationality = r.query.get('nationality') ?? '';
    this.method = r.query.get('method') ?? DEFAULT_METHOD;
    this.series = null;
    this.render();
    void this.load();
    return true;
  }

  private async load(): Promise<void> {
    const seq = ++this.seq;
    this.error = null;
    try {
      const [list, series] = await Promise.all([
        this.list ? Promise.resolve(this.list) : routesApi.corridors(),
        routesApi.series(this.id, this.nationality, this.method),
      ]);
      if (seq !== this.seq) return;
      this.list = list;
      this.series = series;
    } catch (err) {
      if (seq !== this.seq) return;
      this.error = this.host.fail(err);
    }
    this.render();
    this.host.retitle();
  }

  private choose(nationality: string, method: string): void {
    const q = new URLSearchParams();
    if (nationality) q.set('nationality', nationality);
    q.set('method', method);
    this.host.navigate(`#routes/corridor/${encodeURIComponent(this.id)}?${q.toString()}`);
  }

  private controls(): HTMLElement {
    const corridor = this.list?.corridors.find((c) => c.id === this.id);
    const nats = corridor?.nationalities ?? [];
    const methods = this.list?.methods ?? [DEFAULT_METHOD];
    return h(
      'form',
      { class: 'rt-controls', onsubmit: (e: Event) => e.preventDefault() },
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'rt-nationality' }, t('routes.series.nationality')),
        h(
          'select',
          { id: 'rt-nationality', onchange: (e: Event) => this.choose((e.target as HTMLSelectElement).value, this.method) },
          h('option', { value: '' }, t('routes.series.all_nationalities')),
          nats.map((n) => h('option', { value: n, selected: n === this.nationality }, `${countryName(n)} (${n})`)),
        ),
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'rt-method' }, t('routes.series.method')),
        h(
          'select',
          { id: 'rt-method', onchange: (e: Event) => this.choose(this.nationality, (e.target as HTMLSelectElement).value) },
          methods.map((m) => h('option', { value: m, selected: m === this.method }, methodName(m))),
        ),
      ),
    );
  }

  private coverage(p: SeriesPoint): string {
    return p.coverage.known ? t('routes.series.coverage_of', { reporting: num(p.coverage.reporting), known: num(p.coverage.known) }) : '–';
  }

  private figures(points: SeriesPoint[]): HTMLElement | null {
    const p = points[points.length - 1];
    if (!p) return null;
    const item = (key: string, value: string) => h('div', { class: 'rt-figure-item' }, h('dt', null, t(key)), h('dd', null, value));
    return h(
      'section',
      { class: 'rt-figures', 'aria-labelledby': 'rt-latest-h' },
      h('h2', { id: 'rt-latest-h', class: 'section-title' }, t('routes.series.latest', { month: monthName(p.period) })),
      h(
        'dl',
        { class: 'rt-figure-list' },
        item('routes.series.col.count', num(p.count) + (p.censored ? ` ${t('routes.series.censored')}` : '')),
        item('routes.series.col.expected', num(p.expected)),
        item('routes.series.col.upper_bound', num(p.upper_bound)),
        item('routes.series.col.coverage', this.coverage(p)),
        item('routes.series.col.lag', t('routes.series.lag_days', { n: num(p.lag_days) })),
      ),
    );
  }

  private alarms(points: SeriesPoint[]): HTMLElement {
    const alarms = points.filter((p) => p.alarm).reverse();
    return h(
      'section',
      { class: 'rt-alarms', 'aria-labelledby': 'rt-alarms-h' },
      h('h2', { id: 'rt-alarms-h', class: 'section-title' }, t('routes.series.alarms', { n: num(alarms.length) })),
      alarms.length
        ? h(
            'ul',
            { class: 'rt-alarm-list', 'data-testid': 'alarm-list' },
            alarms.map((p) =>
              h(
                'li',
                { 'data-period': p.period },
                h('span', { class: 'rt-alarm-symbol', 'aria-hidden': 'true' }, '▼'),
                t('routes.series.alarm_text', {
                  month: monthName(p.period),
                  count: num(p.count),
                  bound: num(p.upper_bound),
                  expected: num(p.expected),
                }),
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('routes.series.no_alarm')),
    );
  }

  private table(points: SeriesPoint[]): HTMLElement {
    const cols = ['period', 'count', 'expected', 'upper_bound', 'alarm', 'coverage', 'lag', 'note'];
    // Focusable, so keyboard users can scroll it when it is wider than the screen.
    return h(
      'div',
      { class: 'rt-table-wrap', tabindex: 0, role: 'region', 'aria-label': t('routes.series.table_title') },
      h(
        'table',
        { class: 'rt-table', 'data-testid': 'series-table' },
        h('caption', null, t('routes.series.table_caption')),
        h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, t(`routes.series.col.${c}`))))),
        h(
          'tbody',
          null,
          [...points].reverse().map((p) =>
            h(
              'tr',
              { class: p.alarm ? 'is-alarm' : null, 'data-period': p.period },
              h('th', { scope: 'row' }, monthName(p.period, 'short')),
              h('td', { class: 'num' }, num(p.count) + (p.censored ? ` ${t('routes.series.censored')}` : '')),
              h('td', { class: 'num' }, num(p.expected)),
              h('td', { class: 'num' }, num(p.upper_bound)),
              h('td', null, p.alarm ? t('routes.series.alarm_yes') : '–'),
              h('td', null, this.coverage(p)),
              h('td', { class: 'num' }, num(p.lag_days)),
              h('td', null, p.note ? (t(`routes.note.${p.note}`) === `routes.note.${p.note}` ? p.note : t(`routes.note.${p.note}`)) : ''),
            ),
          ),
        ),
      ),
    );
  }

  protected view(): (Node | null)[] {
    const points = (this.series?.points ?? []).slice(-SHOWN);
    const corridor = this.list?.corridors.find((c) => c.id === this.id);
    const who = this.nationality ? countryName(this.nationality) : t('routes.series.all_nationalities');
    return [
      h('p', { class: 'rt-back' }, h('a', { href: '#routes' }, t('routes.series.back'))),
      h('h1', { class: 'page-title', tabindex: '-1' }, this.name()),
      corridor ? h('p', { class: 'muted' }, countryPath(corridor.countries.map(countryName))) : null,
      this.list ? this.controls() : null,
      alertBox(this.error, 'routes-error'),
      this.series === null
        ? this.error
          ? null
          : loading()
        : points.length === 0
          ? h('p', { class: 'muted' }, t('routes.series.empty'))
          : h(
              'div',
              { class: 'rt-series' },
              this.figures(points),
              h(
                'figure',
                { class: 'rt-figure' },
                seriesChart(points, 'rt-chart-caption'),
                h(
                  'figcaption',
                  { id: 'rt-chart-caption' },
                  t('routes.series.caption', {
                    who,
                    method: methodName(this.series.method),
                    from: monthName(points[0].period),
                    to: monthName(points[points.length - 1].period),
                  }),
                ),
              ),
              h(
                'ul',
                { class: 'rt-chart-key', 'aria-label': t('routes.map.legend') },
                h('li', null, h('span', { class: 'rt-key rt-key-bar', 'aria-hidden': 'true' }), t('routes.series.key_count')),
                h('li', null, h('span', { class: 'rt-key rt-key-expected', 'aria-hidden': 'true' }), t('routes.series.key_expected')),
                h('li', null, h('span', { class: 'rt-key rt-key-upper', 'aria-hidden': 'true' }), t('routes.series.key_upper')),
                h('li', null, h('span', { class: 'rt-alarm-symbol', 'aria-hidden': 'true' }, '▼'), t('routes.series.key_alarm')),
              ),
              this.alarms(points),
              h('h2', { class: 'section-title' }, t('routes.series.table_title')),
              this.table(points),
            ),
    ];
  }
}
