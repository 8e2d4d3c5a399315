// Reference data and formatting for the case views: countries (names in the UI language from the
// browser's own data, no network), the CTDC vocabulary, statuses, dates.
import ctdc from '../../../data/ctdc/ctdc-2024.json';
import { currentLocale, formatNumber, has, t } from '../i18n';
import { casesApi, type Country, type Text } from './api';

export const STATUSES = ['identified', 'referred', 'assisted', 'closed'] as const;
export const TRANSPORT = ['air', 'sea', 'land_vehicle', 'rail', 'foot', 'other', 'unknown'] as const;

/** The CTDC vocabulary of data/ctdc (the file the server validates against). */
export const CODES = {
  gender: Object.keys(ctdc.gender),
  age_band: Object.keys(ctdc.age_band),
  traffick_months: Object.keys(ctdc.traffick_months),
};
export const FLAG_GROUPS = Object.keys(ctdc.flags) as (keyof typeof ctdc.flags)[];
export function flagCodes(group: string): string[] {
  return Object.keys((ctdc.flags as Record<string, Record<string, string>>)[group] ?? {});
}

/** The translated name of a code ("ctdc.means.threats"), or the code itself. */
export function codeLabel(group: string, code: string): string {
  if (group === 'age_band') {
    const m = /^(\d+)(?:-(\d+)|\+)$/.exec(code);
    if (m) {
      return m[2]
        ? t('ctdc.age_band.range', { min: formatNumber(Number(m[1])), max: formatNumber(Number(m[2])) })
        : t('ctdc.age_band.plus', { min: formatNumber(Number(m[1])) });
    }
  }
  const key = `ctdc.${group}.${code}`;
  return has(key) ? t(key) : code;
}

export function statusLabel(status: string): string {
  const key = `cases.status.${status}`;
  return has(key) ? t(key) : status;
}

/** What a status may move to: forward, or back to identified once closed. */
export function nextStatuses(status: string): string[] {
  const rank = STATUSES.indexOf(status as (typeof STATUSES)[number]);
  if (status === 'closed') return ['identified'];
  return STATUSES.filter((_, i) => i > rank);
}

let countries: Country[] | null = null;
let loading: Promise<Country[]> | null = null;
const byAlpha3 = new Map<string, Country>();

export function loadCountries(): Promise<Country[]> {
  if (countries) return Promise.resolve(countries);
  loading ??= casesApi.countries().then(
    (r) => {
      countries = r.countries ?? [];
      for (const c of countries) byAlpha3.set(c.alpha3, c);
      return countries;
    },
    (err: unknown) => {
      loading = null;
      throw err;
    },
  );
  return loading;
}

const regionNames = new Map<string, Intl.DisplayNames | null>();
function displayNames(): Intl.DisplayNames | null {
  const locale = currentLocale();
  if (!regionNames.has(locale)) {
    try {
      regionNames.set(locale, new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' }));
    } catch {
      regionNames.set(locale, null);
    }
  }
  return regionNames.get(locale) ?? null;
}

/** A country's name in the UI language (alpha-3 in, as the API speaks). */
export function countryName(alpha3: string | undefined | null): string {
  if (!alpha3) return '—';
  const c = byAlpha3.get(alpha3);
  if (!c) return alpha3;
  let name: string | undefined;
  try {
    name = displayNames()?.of(c.alpha2);
  } catch {
    name = undefined;
  }
  return name && name !== c.alpha2 ? name : c.name;
}

/** Countries sorted by their name in the UI language. */
export function countryOptions(): { value: string; label: string }[] {
  const collator = new Intl.Collator(currentLocale());
  return (countries ?? [])
    .map((c) => ({ value: c.alpha3, label: countryName(c.alpha3) }))
    .sort((a, b) => collator.compare(a.label, b.label));
}

/** Text in the UI language, else English, else any. */
export function pick(text: Text | string | undefined | null): string {
  if (!text) return '';
  if (typeof text === 'string') return text;
  return text[currentLocale()] || text.en || Object.values(text).find(Boolean) || '';
}

/** A calendar date ("2024-03-01") in the UI language. */
export function formatDay(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(currentLocale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

/** A moment ("2026-11-29T06:42:35.162Z") in the UI language. */
export function formatWhen(iso: string | undefined, style: 'long' | 'short' = 'long'): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const opts: Intl.DateTimeFormatOptions =
    style === 'short' ? { dateStyle: 'medium' } : { dateStyle: 'medium', timeStyle: 'short' };
  return new Intl.DateTimeFormat(currentLocale(), opts).format(d);
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** "a, b and c" (or "a, b or c") in the UI language. */
export function listFormat(items: string[], type: 'conjunction' | 'disjunction' = 'conjunction'): string {
  try {
    return new Intl.ListFormat(currentLocale(), { style: 'long', type }).format(items);
  } catch {
    return items.join(', ');
  }
}
