import { describe, expect, it } from 'vitest';
import { layeredPositions } from './layout';

const box = (id: string) => ({ id, width: 200, height: 100 });

describe('layeredPositions', () => {
  it('puts each node right of what feeds it, and branches side by side vertically', () => {
    const pos = layeredPositions([box('src'), box('a'), box('b'), box('sink')], [
      { source: 'src', target: 'a' },
      { source: 'src', target: 'b' },
      { source: 'a', target: 'sink' },
      { source: 'b', target: 'sink' },
    ]);
    const at = (id: string) => pos.get(id) ?? { x: NaN, y: NaN };
    expect(at('a').x).toBeGreaterThanOrEqual(at('src').x + 200);
    expect(at('b').x).toBe(at('a').x);
    expect(at('sink').x).toBeGreaterThanOrEqual(at('a').x + 200);
    expect(Math.abs(at('a').y - at('b').y)).toBeGreaterThanOrEqual(100);
  });

  it('places every node, connected or not, without overlaps', () => {
    const nodes = [box('x'), box('y'), box('z')];
    const pos = layeredPositions(nodes, [{ source: 'x', target: 'ghost' }]);
    expect(pos.size).toBe(3);
    const rects = nodes.map((n) => ({ ...(pos.get(n.id) ?? { x: 0, y: 0 }), w: n.width, h: n.height }));
    for (let i = 0; i < rects.length; i++)
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i] as (typeof rects)[number];
        const b = rects[j] as (typeof rects)[number];
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap).toBe(false);
      }
  });
});
