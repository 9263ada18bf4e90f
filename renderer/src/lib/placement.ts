// Where a node lands when it is added without a pointer (click or keyboard in the palette).
import { useStoreApi, type XYPosition } from '@xyflow/react';
import { useCallback } from 'react';

/** Approximate size of a freshly added node, used to centre it under the pointer or in the view. */
export const NODE_WIDTH = 224;
export const NODE_HEIGHT_ESTIMATE = 88;
const CASCADE = 24;

/** Returns a function giving a free top-left position near the centre of the visible canvas. */
export function useCenterPlacement(): (taken: readonly XYPosition[]) => XYPosition {
  // Read React Flow's store at call time instead of subscribing: the palette must not re-render on pan/zoom.
  const store = useStoreApi();
  return useCallback(
    (taken) => {
      const { width, height, transform } = store.getState();
      const [tx, ty, zoom] = transform;
      let x = (width / 2 - tx) / zoom - NODE_WIDTH / 2;
      let y = (height / 2 - ty) / zoom - NODE_HEIGHT_ESTIMATE / 2;
      // Repeated adds cascade instead of stacking exactly on top of each other.
      while (taken.some((p) => Math.abs(p.x - x) < 4 && Math.abs(p.y - y) < 4)) {
        x += CASCADE;
        y += CASCADE;
      }
      return { x: Math.round(x), y: Math.round(y) };
    },
    [store],
  );
}

/** The drag payload type; a private MIME type so random text dropped on the canvas is ignored. */
export const DND_KIND_MIME = 'application/x-sluice-kind';
