// What the file sinks share: their fields, and the checks of merge keys and the delete marker against the input.
// A sink has no output port; its schema is only its problems.
import * as z from 'zod';
import { COLUMN, PATH } from '../api/editor-hints.js';
import { columnOf, requireKnown, wrongType } from '../schema/checks.js';
import { typeClass, type Schema, type SchemaOutcome, type SchemaProblem } from '../schema/types.js';

export const fileSinkFields = {
  path: z.string().min(1, 'needs a file: choose where to write').meta(PATH).describe('Output file, relative to the pipeline file'),
  mode: z.enum(['overwrite', 'append', 'merge']).default('overwrite').describe('merge replaces rows whose key already exists'),
  key: z.array(z.string().min(1).meta(COLUMN)).default([]).describe('Key columns for merge'),
  includeLineage: z.boolean().default(false).describe('Write each row\'s lineage id as a column "__lineage"'),
  deleteColumn: z.string().min(1).meta(COLUMN).optional().describe('Merge only: a BOOLEAN column; a row where it is true deletes its key instead of writing the row'),
};

export function fileSinkSchema(c: { mode: 'overwrite' | 'append' | 'merge'; key: string[]; deleteColumn?: string | undefined }, input: Schema, nodeId = ''): SchemaOutcome {
  const problems: SchemaProblem[] = requireKnown(input, c.key.map((name, i) => ({ field: `key[${i}]`, name })));
  if (c.mode === 'merge' && c.key.length === 0) problems.push({ code: 'missing_column', field: 'key', message: 'merge mode needs "key" columns: choose the columns that identify a row' });
  if (c.deleteColumn !== undefined) {
    const field = 'deleteColumn';
    const col = columnOf(input, c.deleteColumn);
    if (c.mode !== 'merge') problems.push({ code: 'bad_config', field, message: `"deleteColumn" works with mode "merge" only (this sink's mode is "${c.mode}"): set mode to merge or clear the field` });
    else if (!col) problems.push(...requireKnown(input, [{ field, name: c.deleteColumn }]));
    else if (typeClass(col.type) !== 'boolean') problems.push(wrongType(field, col, 'a delete marker must be true/false', 'BOOLEAN', nodeId));
    else if (c.key.includes(c.deleteColumn)) problems.push({ code: 'bad_config', field, message: `"${c.deleteColumn}" is a key column; the delete marker cannot be part of the key` });
  }
  return { outputs: {}, problems };
}
