import { describe, expect, it } from 'vitest';
import formAr from '../../../data/reports/form.ar.json';
import formEn from '../../../data/reports/form.en.json';
import formEs from '../../../data/reports/form.es.json';
import formFr from '../../../data/reports/form.fr.json';
import ar from '../i18n/ar.json';
import en from '../i18n/en.json';
import es from '../i18n/es.json';
import fr from '../i18n/fr.json';
import { AFFECTED, SIGNS, WHEN_SEEN, WORK_TYPES } from './api';

type FormFile = typeof formEn;
const codes = (list: { code: string }[]) => list.map((e) => e.code);

describe('report vocabulary', () => {
  it('has the codes of the public form, in its order', () => {
    expect(SIGNS).toEqual(codes(formEn.signs));
    expect(WORK_TYPES).toEqual(codes(formEn.work_types));
    expect(AFFECTED).toEqual(codes(formEn.affected));
    expect(WHEN_SEEN).toEqual(codes(formEn.when_seen));
    expect(SIGNS).toContain('no_id_documents');
    expect(WORK_TYPES).toContain('domestic_work');
  });

  const pairs: [string, Record<string, string>, FormFile][] = [
    ['en', en, formEn],
    ['fr', fr, formFr as FormFile],
    ['es', es, formEs as FormFile],
    ['ar', ar, formAr as FormFile],
  ];
  for (const [lang, messages, form] of pairs) {
    it(`shows staff the words the public saw (${lang})`, () => {
      for (const s of form.signs) expect(messages[`reports.sign.${s.code}`], s.code).toBe(s.label);
      for (const w of form.work_types) expect(messages[`reports.work.${w.code}`], w.code).toBe(w.label);
    });
  }
});
