// Translations: flat JSON files, one per language, identical key sets (checked by i18n.test.ts):
// the shell's in ./i18n/, and a module's own in ./<module>/i18n/ so each module keeps its strings.
// English is bundled as the fallback; the others load on demand as small chunks.
import en from './i18n/en.json';

export type Messages = Record<string, string>;
export type Locale = 'en' | 'fr' | 'es' | 'ar';

export interface LocaleInfo {
  code: Locale;
  /** The language's name in that language, as shown in the switch. */
  name: string;
  dir: 'ltr' | 'rtl';
}

export const LOCALES: readonly LocaleInfo[] = [
  { code: 'en', name: 'English', dir: 'ltr' },
  { code: 'fr', name: 'Français', dir: 'ltr' },
  { code: 'es', name: 'Español', dir: 'ltr' },
  { code: 'ar', name: 'العربية', dir: 'rtl' },
];

export const DEFAULT_LOCALE: Locale = 'en';
export const STORAGE_KEY = 'ctis.locale';

const moduleEnglish = import.meta.glob<Messages>('./*/i18n/en.json', { eager: true, import: 'default' });
const fallback: Messages = Object.assign({}, en, ...Object.values(moduleEnglish));
const loaders = import.meta.glob<Messages>(
  ['./i18n/*.json', './*/i18n/*.json', '!./i18n/en.json', '!./*/i18n/en.json'],
  { import: 'default' },
);

let current: Locale = DEFAULT_LOCALE;
let messages: Messages = fallback;

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && LOCALES.some((l) => l.code === value);
}

/** The stored choice if valid, else the first supported browser language, else English. */
export function detectLocale(stored: string | null, browser: readonly string[]): Locale {
  if (isLocale(stored)) return stored;
  for (const tag of browser) {
    const base = tag.toLowerCase().split(/[-_]/)[0];
    if (isLocale(base)) return base;
  }
  return DEFAULT_LOCALE;
}

export function localeInfo(code: Locale): LocaleInfo {
  return LOCALES.find((l) => l.code === code) ?? LOCALES[0];
}

export function currentLocale(): Locale {
  return current;
}

/** Every string of a language: the shell's file merged with each module's. */
export async function loadMessages(code: Locale): Promise<Messages> {
  if (code === 'en') return fallback;
  const parts = Object.entries(loaders)
    .filter(([path]) => path.endsWith(`/i18n/${code}.json`))
    .map(([, load]) => load());
  return parts.length ? Object.assign({}, ...(await Promise.all(parts))) : fallback;
}

/** Switches the language: loads its strings, sets <html lang dir>, remembers the choice. */
export async function setLocale(code: Locale, persist = true): Promise<void> {
  messages = await loadMessages(code);
  current = code;
  const root = document.documentElement;
  root.lang = code;
  root.dir = localeInfo(code).dir;
  if (persist) {
    try {
      localStorage.setItem(STORAGE_KEY, code);
    } catch {
      // Storage may be unavailable (private mode, policy); the choice then lasts the visit.
    }
  }
}

export function storedLocale(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function has(key: string): boolean {
  return key in messages || key in fallback;
}

/** Translates a key; `{name}` placeholders are filled from params. Unknown keys return the key. */
export function t(key: string, params?: Record<string, string | number>): string {
  const text = messages[key] ?? fallback[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) =>
    name in params ? String(params[name]) : m,
  );
}

export function formatNumber(value: number, locale: Locale = current): string {
  return new Intl.NumberFormat(locale).format(value);
}

export function formatDateTime(value: Date, locale: Locale = current): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(value);
}
