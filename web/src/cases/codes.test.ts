// Every code the case views show has a translation: the CTDC vocabulary the server validates
// against (data/ctdc), transport modes, statuses, and the outcomes of the screening engine and
// of the published legal rule sets (data/legal).
import { describe, expect, it } from 'vitest';
import ctdc from '../../../data/ctdc/ctdc-2024.json';
import en from '../i18n/en.json';
import { codeLabel, nextStatuses, STATUSES, TRANSPORT } from './ref';

const keys = en as Record<string, string>;
const ruleFiles = import.meta.glob<{ outcomes: { id: string }[]; undetermined_outcome: string }>(
  '../../../data/legal/*.json',
  { eager: true, import: 'default' },
);

describe('case vocabulary', () => {
  it('translates every CTDC code', () => {
    for (const group of ['gender', 'traffick_months'] as const) {
      for (const code of Object.keys(ctdc[group])) expect(keys, `${group}.${code}`).toHaveProperty([`ctdc.${group}.${code}`]);
    }
    for (const [group, codes] of Object.entries(ctdc.flags)) {
      for (const code of Object.keys(codes)) expect(keys, `${group}.${code}`).toHaveProperty([`ctdc.${group}.${code}`]);
    }
    for (const code of TRANSPORT) expect(keys).toHaveProperty([`ctdc.transport.${code}`]);
    for (const s of STATUSES) expect(keys).toHaveProperty([`cases.status.${s}`]);
  });

  it('writes age bands out from their bounds', () => {
    expect(codeLabel('age_band', '30-38')).toBe('30–38 years');
    expect(codeLabel('age_band', '48+')).toBe('48 years or older');
    for (const band of Object.keys(ctdc.age_band)) expect(codeLabel('age_band', band)).toMatch(/years/);
  });

  it('moves a case forward, and a closed one back to identified only', () => {
    expect(nextStatuses('identified')).toEqual(['referred', 'assisted', 'closed']);
    expect(nextStatuses('assisted')).toEqual(['closed']);
    expect(nextStatuses('closed')).toEqual(['identified']);
  });

  it('names every screening outcome and element status', () => {
    for (const o of ['presumed_victim', 'not_presumed_victim', 'undetermined', 'indicators_present', 'no_indicators_present']) {
      expect(keys).toHaveProperty([`screening.outcome.${o}`]);
      expect(keys).toHaveProperty([`screening.outcome_text.${o}`]);
    }
    for (const s of ['present', 'absent', 'undetermined', 'not_assessed']) expect(keys).toHaveProperty([`screening.element.${s}`]);
  });

  it('names every outcome of the published legal rule sets', () => {
    const files = Object.entries(ruleFiles);
    expect(files.length).toBeGreaterThan(0);
    for (const [f, rules] of files) {
      for (const o of [...rules.outcomes.map((x) => x.id), rules.undetermined_outcome]) {
        expect(keys, `${f}: ${o}`).toHaveProperty([`legal.outcome.${o}`]);
      }
    }
  });
});
