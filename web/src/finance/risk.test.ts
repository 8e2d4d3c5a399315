import { describe, expect, it } from 'vitest';
import {
  BAR_WIDTH,
  DEFAULT_LIMIT,
  barLength,
  groupReasons,
  itemsByAccount,
  normaliseRanking,
  parseLimit,
  percentOfTop,
  reasonLabel,
  riskHash,
} from './risk';

describe('limit in the address', () => {
  it('accepts only the offered limits', () => {
    expect(parseLimit(new URLSearchParams('limit=100'))).toBe(100);
    expect(parseLimit(new URLSearchParams('limit=25'))).toBe(25);
    expect(parseLimit(new URLSearchParams('limit=7'))).toBe(DEFAULT_LIMIT);
    expect(parseLimit(new URLSearchParams('limit=abc'))).toBe(DEFAULT_LIMIT);
    expect(parseLimit(new URLSearchParams(''))).toBe(DEFAULT_LIMIT);
  });

  it('leaves the default out of the address, and reads back what it writes', () => {
    expect(riskHash(DEFAULT_LIMIT)).toBe('#finance/risk');
    expect(riskHash(200)).toBe('#finance/risk?limit=200');
    const back = new URLSearchParams(riskHash(200).split('?')[1]);
    expect(parseLimit(back)).toBe(200);
  });
});

describe('score bar', () => {
  it('is proportional to the top score of the list', () => {
    expect(barLength(40, 40)).toBe(BAR_WIDTH);
    expect(barLength(10, 40)).toBe(BAR_WIDTH / 4);
    expect(barLength(25, 35, 100)).toBeCloseTo(71.4, 1);
  });

  it('stays visible for a small score, empty for none, and never overflows', () => {
    expect(barLength(0.1, 1000)).toBe(2);
    expect(barLength(0, 40)).toBe(0);
    expect(barLength(5, 0)).toBe(0);
    expect(barLength(-3, 40)).toBe(0);
    expect(barLength(50, 40)).toBe(BAR_WIDTH);
  });

  it('has a percentage as its text equivalent', () => {
    expect(percentOfTop(25, 35)).toBe(71);
    expect(percentOfTop(35, 35)).toBe(100);
    expect(percentOfTop(0, 35)).toBe(0);
  });
});

describe('reasons', () => {
  const reasons = [
    { pattern: 'fan_in', points: 10 },
    { pattern: 'structuring', points: 25 },
    { pattern: 'fan_in', points: 5 },
    { pattern: 'cycle', points: 15 },
  ];

  it('fold by pattern, points summed and hits counted, most points first', () => {
    expect(groupReasons(reasons)).toEqual([
      { pattern: 'structuring', points: 25, hits: 1 },
      { pattern: 'cycle', points: 15, hits: 1 },
      { pattern: 'fan_in', points: 15, hits: 2 },
    ]);
    expect(groupReasons([])).toEqual([]);
  });

  it('keep the total of the score', () => {
    const total = groupReasons(reasons).reduce((s, g) => s + g.points, 0);
    expect(total).toBe(55);
  });

  it('read with the typology name and the points', () => {
    expect(reasonLabel({ pattern: 'structuring', points: 25, hits: 1 })).toBe('Structuring below the threshold: +25');
    expect(reasonLabel({ pattern: 'fan_in', points: 15, hits: 2 })).toBe('Fan-in (2 findings): +15');
    // An unknown pattern is shown by its code rather than dropped.
    expect(reasonLabel({ pattern: 'new_rule', points: 2.5, hits: 1 })).toBe('new_rule: +2.5');
  });
});

describe('ranking answer', () => {
  it('maps each account to its review item', () => {
    const m = itemsByAccount([
      { rank: 1, account: 'ACC-A', party: 'A', score: 25, reasons: [], item_id: 12 },
      { rank: 2, account: 'ACC-B', party: 'B', score: 10, reasons: [], item_id: null },
    ]);
    expect([...m]).toEqual([['ACC-A', 12]]);
  });

  it('fills in what an older server leaves out', () => {
    const r = normaliseRanking({ accounts: [{ rank: 1, account: 'ACC-A', party: 'A', score: 3, reasons: [] }] });
    expect(r.scan_id).toBeNull();
    expect(r.parties).toEqual([]);
    expect(r.accounts[0].item_id).toBeNull();
    expect(normaliseRanking({ scan_id: 3, accounts: [], parties: [] })).toEqual({ scan_id: 3, accounts: [], parties: [] });
  });
});
