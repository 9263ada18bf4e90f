// Node categories in the order a pipeline reads left to right; the palette and colours follow it.
import type { NodeKindInfo } from '@sluice/format/api/contract';

export type Category = NodeKindInfo['category'];

export const CATEGORY_ORDER: readonly Category[] = ['source', 'transform', 'quality', 'sink'];

export const CATEGORY_LABEL: Record<Category, string> = {
  source: 'Sources',
  transform: 'Transforms',
  quality: 'Quality',
  sink: 'Sinks',
};

/** The accent colour lives in CSS (per theme); this names the variable. */
export function categoryColor(category: Category | undefined): string {
  return category ? `var(--cat-${category})` : 'var(--text-subtle)';
}
