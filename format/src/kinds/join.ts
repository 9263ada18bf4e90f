// Join: the left input's columns, then the right input's (keys once, clashing names prefixed); keys must compare.
import * as z from 'zod';
import { COLUMN } from '../api/editor-hints.js';
import { columnOf, requireKnown, typeFix } from '../schema/checks.js';
import { comparable, describeType, type Schema, type SchemaProblem } from '../schema/types.js';
import type { KindSchema } from './kind.js';

const config = z.strictObject({
  type: z.enum(['inner', 'left', 'anti']).default('inner'),
  on: z.array(z.strictObject({ left: z.string().min(1, 'choose a column of the left input').meta(COLUMN), right: z.string().min(1, 'choose a column of the right input').meta(COLUMN) })).min(1),
  unmatched: z.enum(['filter', 'quarantine']).default('quarantine').describe('What happens to left rows an inner join cannot match'),
  rightPrefix: z.string().default('').describe('Prefix for right-hand columns whose names clash with left ones'),
});
export type JoinConfig = z.infer<typeof config>;

export const joinSchema: KindSchema<JoinConfig> = {
  kind: 'join',
  config,
  outputSchema({ nodeId, config: c, input }) {
    const l = input('left');
    const r = input('right');
    const problems: SchemaProblem[] = [
      ...requireKnown(l, c.on.map((k, i) => ({ field: `on[${i}].left`, name: k.left })), 'the left input'),
      ...requireKnown(r, c.on.map((k, i) => ({ field: `on[${i}].right`, name: k.right })), 'the right input'),
    ];
    for (const [i, k] of c.on.entries()) {
      const lc = columnOf(l, k.left);
      const rc = columnOf(r, k.right);
      if (lc && rc && !comparable(lc.type, rc.type)) {
        problems.push({
          code: 'type_mismatch',
          field: `on[${i}].right`,
          message: `the join compares "${k.left}" (${describeType(lc.type)}) with "${k.right}" (${describeType(rc.type)}), which never match: give both keys the same type (set it in their source or add a Cast node)`,
          fix: typeFix(rc, lc.type, nodeId, 'right'),
        });
      }
    }
    if (c.type === 'anti') return { outputs: { out: l }, problems };
    const rightKeys = new Set(c.on.map((k) => k.right));
    const out: Schema = [...l];
    let clashed = false;
    for (const col of r) {
      if (rightKeys.has(col.name)) continue;
      const clash = l.some((x) => x.name === col.name);
      if (clash && !c.rightPrefix) clashed = true;
      const name = clash && c.rightPrefix ? c.rightPrefix + col.name : col.name;
      if (clash && c.rightPrefix && out.some((x) => x.name === name)) problems.push({ code: 'duplicate_column', field: 'rightPrefix', message: `the right column "${col.name}" would be named "${name}", which the left input already has; choose another prefix` });
      out.push({ name, type: col.type, ...(c.type === 'left' ? {} : col.nullable === false ? { nullable: false } : {}) });
    }
    if (clashed) {
      const both = r.filter((x) => !rightKeys.has(x.name) && l.some((y) => y.name === x.name)).map((x) => x.name);
      problems.push({ code: 'duplicate_column', field: 'rightPrefix', message: `column${both.length > 1 ? 's' : ''} ${both.map((x) => `"${x}"`).join(', ')} exist${both.length > 1 ? '' : 's'} on both sides; set "rightPrefix" to rename the right one${both.length > 1 ? 's' : ''}`, fix: { action: 'set_field', label: 'Prefix them with "right_"', field: 'rightPrefix', value: 'right_' } });
    }
    return { outputs: { out }, problems };
  },
};
