import { describe, expect, it } from 'vitest';
import { freshNodeId } from './graph';
import { nearestFreeSpot, NODE_HEIGHT_ESTIMATE, NODE_WIDTH } from './placement';

describe('freshNodeId', () => {
  it('counts on from the existing nodes of the kind', () => {
    expect(freshNodeId('filter', new Set())).toBe('filter_1');
    expect(freshNodeId('filter', new Set(['filter']))).toBe('filter_2');
    expect(freshNodeId('filter', new Set(['filter_1', 'filter_2']))).toBe('filter_3');
    expect(freshNodeId('filter', new Set(['filter_2']))).toBe('filter_3');
  });

  it('keeps to the id alphabet of the file format', () => {
    expect(freshNodeId('source.csv', new Set())).toBe('source_csv_1');
    expect(freshNodeId('3d', new Set())).toBe('n_3d_1');
  });
});

describe('nearestFreeSpot', () => {
  it('uses the centre when it is free', () => {
    expect(nearestFreeSpot({ x: 500, y: 500 }, [])).toEqual({ x: 500 - NODE_WIDTH / 2, y: 500 - NODE_HEIGHT_ESTIMATE / 2 });
  });

  it('moves off a node that sits at the centre', () => {
    const taken = { id: 'a', type: 'pipeline' as const, position: { x: 400, y: 450 }, data: { kind: 'k', config: {} }, measured: { width: 208, height: 100 } };
    const spot = nearestFreeSpot({ x: 500, y: 500 }, [taken]);
    const overlapsX = spot.x < 400 + 208 && 400 < spot.x + NODE_WIDTH;
    const overlapsY = spot.y < 450 + 100 && 450 < spot.y + NODE_HEIGHT_ESTIMATE;
    expect(overlapsX && overlapsY).toBe(false);
  });
});
