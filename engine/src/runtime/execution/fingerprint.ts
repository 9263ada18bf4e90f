// A node's fingerprint: what its result depends on (kind, config, its inputs' fingerprints, and for sources the
// size and time of the files read). Previews cache by it; a resumed run trusts a checkpoint only while it is
// unchanged, so editing a node, or an input file changing, reruns exactly that node and what is downstream.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { kindOf } from '../../nodes/registry.js';
import { expandGlob, resolveInside } from '../paths.js';

/**
 * `pinnedStateful`: in a run, a stateful source (source.files) chooses its files once and keeps that choice for a
 * resume, checking their hashes; files landing meanwhile are the next batch's and must not change its
 * fingerprint, or a resume would not recognise its own sink commits and would write them twice.
 */
export function nodeFingerprints(p: Pipeline, order: string[], baseDir: string, roots: string[], extra: Record<string, unknown> = {}, opts: { pinnedStateful?: boolean } = {}): Map<string, string> {
  const out = new Map<string, string>();
  // Looked up per node, not by scanning every node and edge for each (quadratic for a 5,000-node chain).
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const into = new Map<string, Pipeline['edges']>();
  for (const e of p.edges) (into.get(e.to.node) ?? into.set(e.to.node, []).get(e.to.node))?.push(e);
  for (const id of order) {
    const n = nodes.get(id);
    if (!n) continue;
    const inputs = (into.get(id) ?? []).map((e) => `${e.to.port}<-${out.get(e.from.node) ?? '?'}.${e.from.port}`).sort();
    let files: string[] = [];
    const cfgPath = n.config['path'];
    const pinned = opts.pinnedStateful === true && kindOf(n.kind)?.stateful === true;
    if (kindOf(n.kind)?.category === 'source' && typeof cfgPath === 'string' && !pinned) {
      try {
        files = expandGlob(resolveInside(baseDir, roots, cfgPath, { nodeId: id, field: 'path' })).map((f) => {
          const st = fs.statSync(f);
          return `${f}:${st.size}:${st.mtimeMs}`;
        });
      } catch {
        files = ['unresolvable'];
      }
    }
    const h = crypto.createHash('sha256').update(JSON.stringify({ k: n.kind, c: n.config, inputs, files, ...extra })).digest('hex').slice(0, 20);
    out.set(id, h);
  }
  return out;
}
