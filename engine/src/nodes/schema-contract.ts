// A data contract: the columns and types a dataset must have, with an explicit policy for every way it can differ.
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { schemaContractSchema } from '@sluice/format/kinds/schema-contract';
import { LINEAGE } from '../runtime/exec-context.js';
import { GateFailure } from '../runtime/gate.js';
import { qi } from '../sql/quote.js';
import { normalizeType } from '../sql/strict-cast.js';
import { applyDeclaredTypes } from './shared/typing.js';

const config = schemaContractSchema.config;

export const schemaContractNode: NodeKind<z.infer<typeof config>> = {
  kind: 'schema_contract',
  category: 'quality',
  title: 'Schema contract',
  description: 'Enforce expected columns and types, with policies for missing, extra and mistyped columns.',
  inputs: [{ name: 'in', title: 'Input', role: 'data' }],
  outputs: [{ name: 'out', title: 'Conforming', role: 'data' }],
  config,
  defaults: { columns: [{ name: 'id', type: 'BIGINT', required: true }], missing: 'fail', extra: 'keep', mistyped: 'quarantine' },
  accounting: 'conserving',
  inputOrder: 'propagates',
  version: 1,
  migrations: [],
  traits: { rows: 'row-wise', replay: 'judges', counts: 'balanced' },
  outputSchema: schemaContractSchema.outputSchema,
  async execute(ctx, c) {
    const input = ctx.input('in');
    const have = await ctx.columns(input);
    const haveNames = have.map((x) => x.name);
    const warnings: string[] = [];
    const missing = c.columns.filter((x) => !haveNames.includes(x.name));
    const missingRequired = missing.filter((x) => x.required);
    if (missingRequired.length > 0 && c.missing === 'fail') {
      throw new GateFailure(`contract violated: missing column(s) ${missingRequired.map((x) => `"${x.name}"`).join(', ')} (the input has ${haveNames.join(', ')})`, { nodeId: ctx.nodeId, field: 'columns' });
    }
    const listed = new Set(c.columns.map((x) => x.name));
    const extra = haveNames.filter((n) => !listed.has(n));
    if (extra.length > 0 && c.extra === 'fail') {
      throw new GateFailure(`contract violated: unexpected column(s) ${extra.map((x) => `"${x}"`).join(', ')}`, { nodeId: ctx.nodeId, field: 'extra' });
    }
    if (extra.length > 0 && c.extra === 'drop') warnings.push(`dropped column(s) not in the contract: ${extra.join(', ')}`);
    if (missing.length > 0) warnings.push(`added missing column(s) as NULL: ${missing.map((x) => x.name).join(', ')}`);
    // Shape first (order, missing as NULL text, extras), then types by strict cast.
    const shaped = `${ctx.output('out').slice(0, -1)}__shaped"`;
    const keepExtra = c.extra === 'keep' ? extra : [];
    const parts = [qi(LINEAGE), ...c.columns.map((x) => (haveNames.includes(x.name) ? qi(x.name) : `CAST(NULL AS VARCHAR) AS ${qi(x.name)}`)), ...keepExtra.map(qi)];
    await ctx.run(`CREATE TABLE ${shaped} AS SELECT ${parts.join(', ')} FROM ${input}`);
    const types: Record<string, string> = {};
    for (const col of c.columns) {
      const want = normalizeType(col.type) as string;
      const current = have.find((h) => h.name === col.name)?.type;
      if (current !== want) types[col.name] = want;
    }
    const outCols = [...c.columns.map((x) => x.name), ...keepExtra];
    await applyDeclaredTypes(ctx, shaped, ctx.output('out'), outCols, types, 'columns');
    await ctx.run(`DROP TABLE ${shaped}`);
    if (c.mistyped === 'fail') {
      const bad = await ctx.count(`SELECT count(*) FROM ${ctx.quarantine}`);
      if (bad > 0) throw new GateFailure(`contract violated: ${bad} row(s) have values that do not convert to the contract's types`, { nodeId: ctx.nodeId, field: 'columns' });
    }
    return { warnings };
  },
};
