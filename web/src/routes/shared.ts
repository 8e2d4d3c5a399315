// Small pieces both route pages use: names in the current language, months, numbers.
import { h } from '../dom';
import { currentLocale, formatNumber, has, t } from '../i18n';

/** The corridor's name in the current language (the catalogue's English name otherwise). */
export function corridorName(id: string, fallback: string): string {
  return has(`routes.corridor.${id}`) ? t(`routes.corridor.${id}`) : fallback || id;
}

/** Countries in order, origin first, with arrows that point the reading way (← in Arabic). */
export function countryPath(names: string[]): string {
  return names.join(` ${t('routes.arrow')} `);
}

/** "2026-10" -> "October 2026" in the current language; the text itself when not a month. */
export function monthName(period: string, style: 'long' | 'short' = 'long'): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m) return period;
  return new Intl.DateTimeFormat(currentLocale(), { month: style, year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)),
  );
}

/** A number in the current locale; "–" for none. Fractions to one decimal. */
export function num(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  return formatNumber(Math.round(v * 10) / 10);
}

export function loading(): HTMLElement {
  return h('p', { class: 'muted loading', role: 'status' }, t('app.loading'));
}

/** The method's name ("EARS C2"), or the code when it has none. */
export function methodName(code: string): string {
  return has(`routes.method.${code}`) ? t(`routes.method.${code}`) : code;
}
