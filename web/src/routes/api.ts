// The route monitor's endpoints (/api/v1/routes/…): corridors, flows per leg, incidents and the
// monthly series of a corridor with its expected value, upper bound and alarms.
import { request } from '../api';

export interface Corridor {
  id: string;
  name: string;
  /** ISO 3166-1 alpha-3, origin → transit → destination. */
  countries: string[];
  latest_period: string;
  latest_total: number;
  /** Nationalities with detections on this corridor, most first. */
  nationalities: string[];
}

export interface CorridorList {
  corridors: Corridor[];
  /** The months the stored data covers, "YYYY-MM" ("" when nothing is stored). */
  months: { first: string; last: string };
  /** Methods a series can be watched with. */
  methods: string[];
}

export interface FlowFigure {
  corridor: string;
  /** "NER>LBY" */
  leg: string;
  period: string;
  persons: number;
  censored: boolean;
}

export interface Incident {
  id: string;
  date: string;
  precision: string;
  routes: string[];
  lat: number | null;
  lon: number | null;
  dead: number | null;
  missing: number | null;
  cause: string;
}

export interface SeriesPoint {
  period: string;
  count: number;
  censored: boolean;
  expected: number | null;
  upper_bound: number | null;
  alarm: boolean;
  note: string;
  coverage: { reporting: number; known: number };
  lag_days: number;
}

export interface Series {
  corridor: string;
  nationality: string;
  method: string;
  points: SeriesPoint[];
}

const q = (params: Record<string, string>) => {
  const s = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '')).toString();
  return s ? `?${s}` : '';
};

export const routesApi = {
  corridors: () => request<CorridorList>('GET', '/api/v1/routes/corridors'),
  flows: (from: string, to: string) =>
    request<{ flows: FlowFigure[] }>('GET', `/api/v1/routes/flows${q({ period: 'month', from, to })}`),
  incidents: (from: string, to: string) =>
    request<{ incidents: Incident[] }>('GET', `/api/v1/routes/incidents${q({ from, to })}`),
  series: (corridor: string, nationality: string, method: string) =>
    request<Series>('GET', `/api/v1/routes/series${q({ corridor, nationality, method })}`),
};

/** Consecutive months "YYYY-MM" from first to last, both included. */
export function monthsBetween(first: string, last: string): string[] {
  const parse = (m: string) => {
    const r = /^(\d{4})-(\d{2})$/.exec(m);
    return r ? Number(r[1]) * 12 + Number(r[2]) - 1 : NaN;
  };
  const a = parse(first);
  const b = parse(last);
  if (Number.isNaN(a) || Number.isNaN(b) || b < a || b - a > 1200) return [];
  const out: string[] = [];
  for (let i = a; i <= b; i++) out.push(`${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
  return out;
}
