// Keep one row per key. Duplicates are quarantined (so they can be inspected and replayed) or counted as filtered.
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { deduplicateSchema } from '@sluice/format/kinds/deduplicate';
import { LINEAGE } from '../runtime/exec-context.js';
import { qi, qlit } from '../sql/quote.js';
import { requireColumns } from './shared/columns.js';
import { rowJsonSql } from './shared/row-json.js';
import { anyNullSql } from './shared/null-keys.js';

const config = deduplicateSchema.config;

export const deduplicateNode: NodeKind<z.infer<typeof config>> = {
  kind: 'deduplicate',
  category: 'transform',
  title: 'Deduplicate',
  description: 'Keep one row per key (first or last); duplicates go to quarantine or are counted as filtered.',
  inputs: [{ name: 'in', title: 'Input', role: 'data' }],
  outputs: [{ name: 'out', title: 'Unique', role: 'data' }],
  config,
  defaults: { keys: [''], keep: 'first', duplicates: 'quarantine' },
  tableInputs: ['in'],
  accounting: 'conserving',
  version: 2,
  migrations: [
    {
      note: 'gained "nullKeys" (how NULL keys compare); older files keep NULL keys equal, as before',
      up: (config) => ('nullKeys' in config ? config : { ...config, nullKeys: 'equal' }),
    },
  ],
  traits: { rows: 'set-wise', replay: 'refuses', counts: 'balanced' },
  outputSchema: deduplicateSchema.outputSchema,
  async execute(ctx, c) {
    const input = ctx.input('in');
    const cols = await ctx.columns(input);
    requireColumns(ctx.nodeId, 'keys', c.keys, cols);
    if (c.orderBy) requireColumns(ctx.nodeId, 'orderBy', [c.orderBy], cols);
    const order = c.orderBy ? `${qi(c.orderBy)} ${c.keep === 'first' ? 'ASC' : 'DESC'} NULLS LAST, rowid ${c.keep === 'first' ? 'ASC' : 'DESC'}` : `rowid ${c.keep === 'first' ? 'ASC' : 'DESC'}`;
    const ranked = `${ctx.output('out').slice(0, -1)}__ranked"`;
    const rank = `row_number() OVER (PARTITION BY ${c.keys.map(qi).join(', ')} ORDER BY ${order})`;
    // Under "distinct" a row with a NULL key duplicates nothing, so it is always kept.
    const rankSql = c.nullKeys === 'distinct' ? `CASE WHEN ${anyNullSql(c.keys.map(qi))} THEN 1 ELSE ${rank} END` : rank;
    await ctx.run(`CREATE TABLE ${ranked} AS SELECT *, ${rankSql} AS "__sl_rank", rowid AS "__sl_pos" FROM ${input}`);
    const names = cols.map((x) => x.name);
    await ctx.run(`CREATE TABLE ${ctx.output('out')} AS SELECT ${qi(LINEAGE)}, ${names.map(qi).join(', ')} FROM ${ranked} WHERE "__sl_rank" = 1 ORDER BY "__sl_pos"`);
    const dupes = await ctx.count(`SELECT count(*) FROM ${ranked} WHERE "__sl_rank" > 1`);
    const reason = `duplicate of an earlier row with the same ${c.keys.join(', ')} (kept the ${c.keep})`;
    if (c.duplicates === 'quarantine') {
      await ctx.run(
        `INSERT INTO ${ctx.quarantine} SELECT ${qi(LINEAGE)}, TRY_CAST(split_part(${qi(LINEAGE)}, ':', -1) AS BIGINT), ['duplicate'], [${qlit(reason)}], ${rowJsonSql(names)}, NULL FROM ${ranked} WHERE "__sl_rank" > 1 ORDER BY "__sl_pos"`,
      );
    }
    await ctx.run(`DROP TABLE ${ranked}`);
    return c.duplicates === 'filter' ? { filtered: { count: dupes, reason } } : {};
  },
};
