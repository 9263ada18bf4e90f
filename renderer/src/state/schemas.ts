// The designer's side of the static schema pass: it keeps the engine's last answer per node and, after an edit,
// computes the kinds whose columns are a pure function of their inputs and config itself (same code as the
// engine, @sluice/format/schema/local). The engine is asked only when a node it must judge (an expression, a
// source, SQL) sees a changed config or changed input columns, or when the file's structure changed; then only
// about those nodes and the ones below them (`schemasFor`) while the structure is what it last answered about.
import type { RegionNode, SchemasForResult, SchemasResult } from '@sluice/format/api/contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { engineBasis, localSchemas, settle, type EngineBasis, type LocalAnswer } from '@sluice/format/schema/local';
import { useDesigner } from '../store';

export interface DesignerSchemas {
  /** The document's ports and problems from the last engine answer and the pure kinds (see LocalAnswer). */
  local(p: Pipeline): LocalAnswer;
  /** The engine's answer for `p`: what later edits are judged against. */
  learn(p: Pipeline, answer: SchemasResult): void;
  /**
   * Asks the engine (`ask`: its `schemasFor`) about the stale nodes of `p` and learns its answers; the result is
   * complete unless it is unjudged or still names stale nodes (then ask about the whole document).
   */
  settle(p: Pipeline, ask: (nodes: RegionNode[]) => Promise<SchemasForResult>): Promise<LocalAnswer>;
}

export function designerSchemas(): DesignerSchemas {
  let basis: EngineBasis | undefined;
  const outputsOf = (kind: string) => useDesigner.getState().kinds[kind]?.outputs.map((o) => o.name);
  return {
    local: (p) => localSchemas(p, basis, outputsOf),
    learn(p, answer) {
      basis = engineBasis(p, answer);
    },
    async settle(p, ask) {
      const r = await settle(p, basis, outputsOf, ask);
      // Answers learnt are right for the configs and columns they were given, even if the document moved on.
      basis = r.basis;
      return r.local;
    },
  };
}
