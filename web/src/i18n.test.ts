import { describe, expect, it } from 'vitest';
import ar from './i18n/ar.json';
import en from './i18n/en.json';
import es from './i18n/es.json';
import fr from './i18n/fr.json';
import { LOCALES, detectLocale, formatNumber, loadMessages } from './i18n';

type Messages = Record<string, string>;
const files: Record<string, Messages> = { en, fr, es, ar };
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

// Each module's own strings, ./<module>/i18n/<code>.json, grouped by module.
const moduleFiles: Record<string, Record<string, Messages>> = {};
for (const [path, messages] of Object.entries(
  import.meta.glob<Messages>('./*/i18n/*.json', { eager: true, import: 'default' }),
)) {
  const [, module, code] = /^\.\/([^/]+)\/i18n\/(\w+)\.json$/.exec(path)!;
  (moduleFiles[module] ??= {})[code] = messages;
}

describe('translation files', () => {
  const enKeys = Object.keys(en).sort();

  it('exist for every language in the switch', () => {
    expect(Object.keys(files).sort()).toEqual(LOCALES.map((l) => l.code).sort());
  });

  for (const [code, messages] of Object.entries(files)) {
    it(`${code}.json has exactly the keys of en.json`, () => {
      const keys = Object.keys(messages).sort();
      expect(keys.filter((k) => !(k in en)), 'keys not in en.json').toEqual([]);
      expect(enKeys.filter((k) => !(k in messages)), 'keys missing').toEqual([]);
    });

    it(`${code}.json has non-empty strings with the same placeholders as English`, () => {
      for (const [key, value] of Object.entries(messages)) {
        expect(typeof value, key).toBe('string');
        expect(value.trim(), key).not.toBe('');
        expect(placeholders(value), key).toEqual(placeholders((en as Record<string, string>)[key]));
      }
    });
  }

  it('covers the dashboard cards and roles the API returns', () => {
    for (const key of ['dashboard.users', 'dashboard.audit_entries', 'dashboard.store', 'dashboard.version'])
      expect(en).toHaveProperty([key]);
    for (const role of ['admin', 'coordinator', 'caseworker', 'analyst', 'fiu_analyst', 'partner', 'law_enforcement'])
      expect(en).toHaveProperty([`roles.${role}`]);
  });

  it('loads every language through the lazy loader, with every module\'s strings', async () => {
    for (const code of ['fr', 'es', 'ar'] as const) {
      const merged = Object.assign({}, files[code], ...Object.values(moduleFiles).map((m) => m[code]));
      expect(await loadMessages(code)).toEqual(merged);
    }
  });
});

describe('module translation files', () => {
  it('belong to sections of the navigation', () => {
    for (const module of Object.keys(moduleFiles)) expect(en, module).toHaveProperty([`nav.${module}`]);
  });
  for (const [module, byCode] of Object.entries(moduleFiles)) {
    const moduleEn = byCode.en ?? {};
    it(`${module} has a file per language`, () => {
      expect(Object.keys(byCode).sort()).toEqual(LOCALES.map((l) => l.code).sort());
    });
    it(`${module} keys are its own: prefixed '${module}.' and not in the shell's files`, () => {
      for (const key of Object.keys(moduleEn)) {
        expect(key.startsWith(`${module}.`), key).toBe(true);
        expect(key in en, key).toBe(false);
      }
    });
    for (const [code, messages] of Object.entries(byCode)) {
      it(`${module}/i18n/${code}.json matches English in keys and placeholders`, () => {
        expect(Object.keys(messages).sort()).toEqual(Object.keys(moduleEn).sort());
        for (const [key, value] of Object.entries(messages)) {
          expect(value.trim(), key).not.toBe('');
          expect(placeholders(value), key).toEqual(placeholders(moduleEn[key]));
        }
      });
    }
  }
});

describe('detectLocale', () => {
  it('prefers a valid stored choice', () => {
    expect(detectLocale('ar', ['fr-FR'])).toBe('ar');
  });
  it('ignores an invalid stored value and uses the browser languages in order', () => {
    expect(detectLocale('xx', ['de-DE', 'es-419', 'fr'])).toBe('es');
  });
  it('falls back to English', () => {
    expect(detectLocale(null, ['de', 'zh-CN'])).toBe('en');
    expect(detectLocale(null, [])).toBe('en');
  });
});

describe('formatting', () => {
  it('formats numbers for the locale', () => {
    expect(formatNumber(1234567, 'en')).toBe('1,234,567');
    expect(formatNumber(1234567, 'fr')).toMatch(/^1\s1234\s567$|^1\u202f234\u202f567$/);
  });
});
