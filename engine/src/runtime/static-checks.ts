// Everything a run checks before any node executes, in one place, as a list of passes over the pipeline. `sluice
// validate` runs them all and reports every problem at once; `sluice run` (and the engine API's run) refuses a
// pipeline they find problems in, with exit code 2, before any node executes. A new static check (types and
// schemas on every port, for instance) is one more entry in STATIC_PASSES.
import type { Pipeline, PipelineNode } from '@sluice/format/pipeline/pipeline';
import type { Problem } from '@sluice/format/pipeline/problems';
import { kindOf } from '../nodes/registry.js';
import type { NodeKind, StaticItem } from '../nodes/types.js';
import { checkExpression, checkSelect, parseExpressions } from '../sql/guard.js';
import type { Database } from '../db/database.js';
import { describer } from '../analysis/env.js';
import { UserError } from './exec-context.js';
import { resolveInside } from './paths.js';
import { checkStructure } from './run.js';

export interface StaticCheckOptions {
  params?: Record<string, string>;
  /** Where relative input paths resolve (the pipeline's folder). Without it, paths are not checked. */
  baseDir?: string;
  /** Where relative output paths resolve (default: baseDir). */
  outDir?: string;
  /** Every folder the run may use (default: baseDir and outDir). */
  roots?: string[];
}

/** A node whose kind is known and whose config parsed: the unit most passes look at. */
export interface CheckedNode {
  index: number;
  node: PipelineNode;
  kind: NodeKind;
  config: unknown;
  items: StaticItem[];
}

export interface StaticInput {
  pipeline: Pipeline;
  nodes: CheckedNode[];
  options: StaticCheckOptions;
  /** A scratch DuckDB connection (no tables, no file access) for parsing SQL, opened on first use. */
  sql(): Promise<Database>;
}

export interface StaticPass {
  name: string;
  run(input: StaticInput): Promise<Problem[]>;
}

function problemAt(n: CheckedNode, field: string, message: string): Problem {
  return { path: `nodes[${n.index}].config${field.startsWith('[') ? '' : '.'}${field}`, nodeId: n.node.id, field, message };
}

function fromUserError(n: CheckedNode, field: string, e: unknown): Problem {
  if (e instanceof UserError) return problemAt(n, e.where.field ?? field, e.message);
  throw e;
}

/** Paths: resolved through symlinks, inside the folders the run may use (the same rule the run applies). */
const pathsPass: StaticPass = {
  name: 'paths',
  async run({ nodes, options }) {
    if (!options.baseDir) return [];
    const baseDir = options.baseDir;
    const roots = options.roots ?? [baseDir, ...(options.outDir ? [options.outDir] : [])];
    const out: Problem[] = [];
    for (const n of nodes) {
      for (const item of n.items) {
        if (item.type !== 'input-path' && item.type !== 'output-path') continue;
        const from = item.type === 'output-path' ? (options.outDir ?? baseDir) : baseDir;
        try {
          // The same policy the node applies when it runs (writes: no hidden, VCS or pipeline files either).
          resolveInside(from, roots, item.value, { nodeId: n.node.id, field: item.field }, { write: item.type === 'output-path' });
        } catch (e) {
          out.push(fromUserError(n, item.field, e));
        }
      }
    }
    return out;
  },
};

/** SQL: every query and expression through the same guard the node runs it through. */
const sqlPass: StaticPass = {
  name: 'sql',
  async run(input) {
    const out: Problem[] = [];
    const expressions = input.nodes.flatMap((n) => n.items.flatMap((i) => (i.type === 'expression' ? [i.text] : [])));
    // All expressions in a few statements rather than one each (a 5,000-node chain of filters).
    if (expressions.length > 0) {
      const db = await input.sql();
      await parseExpressions({ rows: db.rows.bind(db) }, expressions);
    }
    const ports = new Map<string, Set<string>>();
    for (const e of input.pipeline.edges) (ports.get(e.to.node) ?? ports.set(e.to.node, new Set()).get(e.to.node))?.add(e.to.port);
    for (const n of input.nodes) {
      for (const item of n.items) {
        if (item.type !== 'expression' && item.type !== 'select') continue;
        const db = await input.sql();
        const ctx = { nodeId: n.node.id, rows: db.rows.bind(db) };
        try {
          if (item.type === 'expression') await checkExpression(ctx, item.text, item.field);
          else {
            const connected = ports.get(n.node.id) ?? new Set<string>();
            await checkSelect(ctx, item.text, item.ports.filter((p) => connected.has(p)), item.field);
          }
        } catch (e) {
          out.push(fromUserError(n, item.field, e));
        }
      }
    }
    return out;
  },
};

/** Regular expressions: compiled by DuckDB's RE2, which decides what they mean when the node runs. */
const regexPass: StaticPass = {
  name: 'regex',
  async run(input) {
    const out: Problem[] = [];
    for (const n of input.nodes) {
      for (const item of n.items) {
        if (item.type !== 'regex') continue;
        const db = await input.sql();
        try {
          await db.rows("SELECT regexp_full_match('', $p) AS ok", { p: item.pattern });
        } catch (e) {
          const why = e instanceof Error ? (e.message.split('\n')[0] ?? '').replace(/^Invalid Input Error: /, '') : '';
          out.push(problemAt(n, item.field, `not a valid regular expression (${why})`));
        }
      }
    }
    return out;
  },
};

export const STATIC_PASSES: StaticPass[] = [pathsPass, sqlPass, regexPass];

/** The nodes the passes can look at: known kind, config that parses (problems with the others are structural). */
function checkedNodes(p: Pipeline): CheckedNode[] {
  const out: CheckedNode[] = [];
  p.nodes.forEach((node, index) => {
    const kind = kindOf(node.kind);
    if (!kind) return;
    const parsed = kind.config.safeParse(node.config);
    if (!parsed.success) return;
    out.push({ index, node, kind, config: parsed.data, items: kind.statics?.(parsed.data) ?? [] });
  });
  return out;
}

/**
 * Run every static check: the document's structure, then each pass over the nodes that are sound enough to
 * look at. Returns the checked pipeline only when there is no problem at all.
 */
export async function validateStatic(raw: unknown, options: StaticCheckOptions = {}): Promise<{ pipeline?: Pipeline; problems: Problem[] }> {
  // Opening DuckDB happens off the main thread: started first, it overlaps the structural check (the passes that
  // need it await it; a failure to open is theirs to report).
  describer().catch(() => undefined);
  const structure = checkStructure(raw, options.params ?? {});
  const target = structure.pipeline ?? structure.partial;
  if (!target) return { problems: structure.problems };
  const input: StaticInput = {
    pipeline: target,
    nodes: checkedNodes(target),
    options,
    // The process's describing DuckDB (no tables, no file access), opened on first use and kept: the schema pass
    // a run makes for its lineage uses it too, so a run opens one such database, not two.
    sql: describer,
  };
  const problems = [...structure.problems];
  for (const pass of STATIC_PASSES) problems.push(...(await pass.run(input)));
  return problems.length === 0 && structure.pipeline ? { pipeline: structure.pipeline, problems } : { problems };
}
