// The designer's side of the static schema pass: it keeps the engine's last answer per node and, after an edit,
// computes the kinds whose columns are a pure function of their inputs and config itself (same code as the
// engine, @sluice/format/schema/local). The engine is asked only when a node it must judge (an expression, a
// source, SQL) sees a changed config or changed input columns, or when the file's structure changed; then only
// about those nodes and the ones below them (`schemasFor`) while the structure is what it last answered about.
import type { RegionNode, SchemasForResult, SchemasResult } from '@sluice/format/api/contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { engineBasis, learnRegion, localSchemas, regionRequest, type EngineBasis, type LocalAnswer } from '@sluice/format/schema/local';
import { useDesigner } from '../store';

export interface DesignerSchemas {
  /** The document's ports and problems from the last engine answer and the pure kinds (see LocalAnswer). */
  local(p: Pipeline): LocalAnswer;
  /** The engine's answer for `p`: what later edits are judged against. */
  learn(p: Pipeline, answer: SchemasResult): void;
  /** The nodes to ask the engine about (`schemasFor`) after a local pass with stale nodes. */
  region(p: Pipeline, local: LocalAnswer): RegionNode[];
  /** Learns the engine's `schemasFor` answer; false when it cannot be used (ask about the whole document). */
  learnRegion(p: Pipeline, local: LocalAnswer, answer: SchemasForResult): boolean;
}

export function designerSchemas(): DesignerSchemas {
  let basis: EngineBasis | undefined;
  const outputsOf = (kind: string) => useDesigner.getState().kinds[kind]?.outputs.map((o) => o.name);
  return {
    local: (p) => localSchemas(p, basis, outputsOf),
    learn(p, answer) {
      basis = engineBasis(p, answer);
    },
    region: (p, local) => regionRequest(p, local),
    learnRegion(p, local, answer) {
      const next = learnRegion(p, basis, local, answer);
      if (next) basis = next;
      return next !== undefined;
    },
  };
}
