// The comparison levels the server names (dedup::level_names) read as words in every language,
// and every field the duplicate model compares has a label.
import { describe, expect, it } from 'vitest';
import { fieldLabel, levelLabel } from './duplicates';
import en from './i18n/en.json';

const keys = en as Record<string, string>;

describe('possible duplicates', () => {
  it('labels every compared field', () => {
    for (const field of ['given_name', 'family_name', 'birth_date', 'document_number', 'citizenship', 'gender'])
      expect(keys, field).toHaveProperty([`cases.dup.field.${field}`]);
    expect(fieldLabel('family_name')).toBe('Family name');
  });

  it('turns the server level names into words', () => {
    expect(levelLabel('exact')).toBe('the same');
    expect(levelLabel('jaro-winkler >= 0.92')).toBe('similar spelling (at least 0.92)');
    expect(levelLabel('within 31 days')).toBe('within 31 days');
    expect(levelLabel('month/day swapped')).toBe('day and month swapped');
    expect(levelLabel('same year')).toBe('same year only');
    expect(levelLabel('different')).toBe('different');
    // An unknown level is shown as the server wrote it rather than hidden.
    expect(levelLabel('within 5')).toBe('within 5');
  });
});
