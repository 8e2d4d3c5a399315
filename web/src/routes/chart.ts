// The monthly series chart of a corridor, drawn as SVG without a chart library: counts as bars,
// the expected count as a line, the upper bound as a dashed line over a pale band, alarms marked
// with a triangle above their bar. Reads left to right in every language (a time axis).
import { t } from '../i18n';
import type { SeriesPoint } from './api';
import { monthName, num } from './shared';
import { niceTicks, s } from './svg';

const W = 820;
const H = 320;
const M = { top: 24, right: 16, bottom: 44, left: 64 };

export function seriesChart(points: SeriesPoint[], labelledBy: string): SVGSVGElement {
  const innerW = W - M.left - M.right;
  const innerH = H - M.top - M.bottom;
  const top = Math.max(1, ...points.map((p) => Math.max(p.count, p.upper_bound ?? 0, p.expected ?? 0)));
  const ticks = niceTicks(top);
  const yMax = ticks[ticks.length - 1];
  const y = (v: number) => M.top + innerH - (v / yMax) * innerH;
  const band = innerW / Math.max(1, points.length);
  const x = (i: number) => M.left + i * band;
  const r = (v: number) => Math.round(v * 10) / 10;

  const yAxis = ticks.map((v) =>
    s(
      'g',
      { class: 'rt-tick' },
      s('line', { x1: M.left, x2: W - M.right, y1: r(y(v)), y2: r(y(v)), class: 'rt-grid' }),
      s('text', { x: M.left - 6, y: r(y(v)) + 4, 'text-anchor': 'end', class: 'rt-axis-text' }, num(v)),
    ),
  );
  const every = Math.max(1, Math.ceil(points.length / 8));
  const xAxis = points.map((p, i) =>
    i % every === 0 || i === points.length - 1
      ? s(
          'text',
          // The last label ends at the chart's edge rather than spilling over it.
          i === points.length - 1
            ? { x: r(x(i) + band), y: H - M.bottom + 18, 'text-anchor': 'end', class: 'rt-axis-text' }
            : { x: r(x(i) + band / 2), y: H - M.bottom + 18, 'text-anchor': 'middle', class: 'rt-axis-text' },
          monthName(p.period, 'short'),
        )
      : null,
  );
  const bars = points.map((p, i) =>
    s('rect', {
      class: p.alarm ? 'rt-bar is-alarm' : 'rt-bar',
      x: r(x(i) + band * 0.15),
      y: r(y(p.count)),
      width: r(band * 0.7),
      height: r(Math.max(0, y(0) - y(p.count))),
    }),
  );
  // Lines through the months that have a value; a gap where the method gave none.
  const line = (value: (p: SeriesPoint) => number | null) => {
    let d = '';
    let pen = false;
    points.forEach((p, i) => {
      const v = value(p);
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${r(x(i) + band / 2)},${r(y(v))}`;
      pen = true;
    });
    return d;
  };
  let bandPath = '';
  const bounded = points.map((p, i) => ({ p, i })).filter(({ p }) => p.upper_bound !== null);
  if (bounded.length > 1) {
    bandPath =
      bounded.map(({ p, i }, k) => `${k ? 'L' : 'M'}${r(x(i) + band / 2)},${r(y(p.upper_bound!))}`).join('') +
      [...bounded].reverse().map(({ i }) => `L${r(x(i) + band / 2)},${r(y(0))}`).join('') +
      'Z';
  }
  const marks = points.map((p, i) => {
    if (!p.alarm) return null;
    const cx = x(i) + band / 2;
    const cy = y(p.count) - 8;
    return s(
      'path',
      {
        class: 'rt-alarm-mark',
        d: `M${r(cx)},${r(cy + 6)}L${r(cx - 6)},${r(cy - 5)}L${r(cx + 6)},${r(cy - 5)}Z`,
        'data-period': p.period,
      },
      s('title', null, t('routes.series.alarm_in', { month: monthName(p.period) })),
    );
  });
  return s(
    'svg',
    { class: 'rt-chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': labelledBy, 'data-testid': 'series-chart' },
    bandPath ? s('path', { d: bandPath, class: 'rt-band' }) : null,
    yAxis,
    s('line', { x1: M.left, x2: W - M.right, y1: y(0), y2: y(0), class: 'rt-axis' }),
    bars,
    s('path', { d: line((p) => p.upper_bound), class: 'rt-upper', fill: 'none' }),
    s('path', { d: line((p) => p.expected), class: 'rt-expected', fill: 'none' }),
    marks,
    xAxis,
  );
}
