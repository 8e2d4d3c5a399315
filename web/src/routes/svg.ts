// SVG elements (h() builds HTML ones) and the small geometry the map and chart share. Only
// presentation attributes, never style (the CSP forbids inline styles).
const NS = 'http://www.w3.org/2000/svg';

type Child = Node | string | number | null | undefined | false;

export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs?: Record<string, string | number | boolean | null | undefined | EventListener> | null,
  ...children: (Child | Child[])[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, '').toLowerCase(), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'object' ? child : String(child));
  }
  return el;
}

export type Point = [number, number];

/**
 * A curved path from a to b: a quadratic curve whose control point sits off the chord's middle
 * by `bend` times its length (positive: to the left going from a to b), so corridors that share
 * a leg stay apart.
 */
export function arcPath(a: Point, b: Point, bend: number): string {
  const [x0, y0] = a;
  const [x1, y1] = b;
  const cx = (x0 + x1) / 2 - (y1 - y0) * bend;
  const cy = (y0 + y1) / 2 + (x1 - x0) * bend;
  const r = (v: number) => Math.round(v * 10) / 10;
  return `M${r(x0)},${r(y0)}Q${r(cx)},${r(cy)} ${r(x1)},${r(y1)}`;
}

/** Stroke width of a flow: area-like (square root) scale from 1.5 to 12 px. */
export function flowWidth(persons: number, max: number): number {
  if (!(persons > 0) || !(max > 0)) return 1.5;
  return Math.round((1.5 + 10.5 * Math.sqrt(Math.min(persons, max) / max)) * 10) / 10;
}

/** Radius of an incident: its area grows with dead + missing, from 2.5 to 14 px. */
export function incidentRadius(victims: number, max: number): number {
  if (!(victims > 0) || !(max > 0)) return 2.5;
  return Math.round((2.5 + 11.5 * Math.sqrt(Math.min(victims, max) / max)) * 10) / 10;
}

/** "Nice" axis ticks from 0 to at least max: 0, step, 2·step, … (about `count` of them). */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((v) => v >= raw) ?? 10 * power;
  const out: number[] = [];
  for (let v = 0; v < max + step; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}
