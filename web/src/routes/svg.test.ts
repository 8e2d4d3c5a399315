import { describe, expect, it } from 'vitest';
import { arcPath, flowWidth, incidentRadius, niceTicks } from './svg';
import { monthsBetween } from './api';

describe('map and chart geometry', () => {
  it('bends an arc to the left of its chord', () => {
    // From (0,0) to (100,0): the chord's middle is (50,0); a bend of 0.2 moves it 20 px up.
    expect(arcPath([0, 0], [100, 0], 0.2)).toBe('M0,0Q50,20 100,0');
    expect(arcPath([0, 0], [100, 0], -0.2)).toBe('M0,0Q50,-20 100,0');
  });

  it('scales widths and radii by the square root, within bounds', () => {
    expect(flowWidth(0, 100)).toBe(1.5);
    expect(flowWidth(100, 100)).toBe(12);
    expect(flowWidth(25, 100)).toBe(6.8); // 1.5 + 10.5 * 0.5, rounded
    expect(flowWidth(400, 100)).toBe(12);
    expect(incidentRadius(0, 10)).toBe(2.5);
    expect(incidentRadius(10, 10)).toBe(14);
  });

  it('picks round ticks that reach the maximum', () => {
    expect(niceTicks(1000)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(1234)).toEqual([0, 250, 500, 750, 1000, 1250]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });

  it('lists the months between two months', () => {
    expect(monthsBetween('2024-11', '2025-02')).toEqual(['2024-11', '2024-12', '2025-01', '2025-02']);
    expect(monthsBetween('2025-02', '2024-11')).toEqual([]);
    expect(monthsBetween('', '2024-11')).toEqual([]);
  });
});
