// A traced row's origin in words, for the designer's "Where did this come from?" (RowLineage.tsx).
import type { Origin } from '@sluice/format/api/trace-contract';

/** Where the row was read, in words: the file and line first, then the node that read it (its label first). */
export function originText(o: Origin, label: (id: string) => string): { where: string; by: string } {
  const by = o.node === '' ? '' : label(o.node);
  switch (o.type) {
    case 'line':
      return { where: `${o.file}, line ${o.line}`, by };
    case 'page':
      return { where: `API page ${o.page}, record ${o.record}`, by };
    case 'row':
      return { where: `${o.file}, row ${o.row}`, by };
    case 'group':
      return { where: `a group of rows with the key ${o.key} (no single source line)`, by };
    case 'all':
      return { where: 'the one total of all input rows (no single source line)', by };
    case 'sql-row':
      return { where: `row ${o.row} made by SQL (SQL rows keep no source line)`, by };
    case 'file':
      return { where: o.file, by };
    case 'unknown':
      return { where: `an origin this version does not recognize: ${o.text}`, by };
  }
}
