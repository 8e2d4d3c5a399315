import { describe, expect, it } from 'vitest';
import { GraphState, SIZE, edgeWidth, radialLayout } from './graph';

const net = {
  subject: 'A',
  truncated: false,
  nodes: [
    { id: 'A', party: 'a', country: '', hops: 0 },
    { id: 'B', party: 'b', country: '', hops: 1 },
    { id: 'C', party: 'c', country: '', hops: 1 },
  ],
  edges: [
    { from: 'B', to: 'A', count: 1, total_minor: 100, first_time: null, last_time: null },
    { from: 'C', to: 'A', count: 2, total_minor: 10000, first_time: null, last_time: null },
  ],
};

describe('radial layout', () => {
  it('puts the subject in the centre and each hop on its own ring', () => {
    const at = radialLayout(net.nodes);
    expect(at.get('A')).toEqual({ x: SIZE / 2, y: SIZE / 2 });
    const r = (id: string) => Math.hypot(at.get(id)!.x - SIZE / 2, at.get(id)!.y - SIZE / 2);
    expect(r('B')).toBeCloseTo(r('C'), 0);
    expect(r('B')).toBeGreaterThan(100);
  });

  it('is deterministic whatever the input order', () => {
    expect(radialLayout([...net.nodes].reverse())).toEqual(radialLayout(net.nodes));
  });
});

describe('edge width', () => {
  it('grows with the amount, from 1 to 6', () => {
    expect(edgeWidth(10000, 10000)).toBe(6);
    expect(edgeWidth(100, 10000)).toBeLessThan(6);
    expect(edgeWidth(100, 10000)).toBeGreaterThan(1);
    expect(edgeWidth(0, 0)).toBe(1);
  });
});

describe('graph state', () => {
  it('adds an expanded neighbourhood one ring further out, without duplicates', () => {
    const g = new GraphState(net);
    const added = g.merge(
      {
        subject: 'B',
        truncated: false,
        nodes: [
          { id: 'B', party: 'b', country: '', hops: 0 },
          { id: 'A', party: 'a', country: '', hops: 1 },
          { id: 'D', party: 'd', country: '', hops: 1 },
        ],
        edges: [{ from: 'D', to: 'B', count: 1, total_minor: 5, first_time: null, last_time: null }],
      },
      1,
    );
    expect(added).toBe(1);
    expect(g.nodes.get('D')!.hops).toBe(2);
    expect(g.nodes.get('A')!.hops).toBe(0);
    expect(g.edges.size).toBe(3);
  });
});
