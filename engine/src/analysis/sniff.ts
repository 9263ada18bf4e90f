// Column types sniffed from a sample of a source's text, for the designer to offer and the user to accept into
// the file. Only this node is checked (the rest of the document may be mid-edit); nothing here is ever used by
// a run: a run applies the types the file declares, and reads every other column as text.
import { applyParams, checkPipeline } from '@sluice/format/pipeline/load';
import { kindLookup, kindOf } from '../nodes/registry.js';
import type { SniffOutcome } from '@sluice/format/schema/types';
import { engineSchemaEnv } from './env.js';

export type SniffAnswer = { nodeId: string } & (SniffOutcome | { error: string; code: string });

export async function sniffNode(raw: unknown, nodeId: string, o: { params?: Record<string, string>; baseDir: string; roots?: string[] }): Promise<SniffAnswer> {
  const doc = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const nodes = Array.isArray(doc['nodes']) ? (doc['nodes'] as unknown[]) : [];
  const node = nodes.find((n): n is Record<string, unknown> => n !== null && typeof n === 'object' && (n as Record<string, unknown>)['id'] === nodeId);
  if (!node) return { nodeId, error: `there is no node "${nodeId}"`, code: 'unknown_node' };
  const kind = typeof node['kind'] === 'string' ? kindOf(node['kind']) : undefined;
  if (!kind?.sniff) return { nodeId, error: `a ${typeof node['kind'] === 'string' ? node['kind'] : 'node'} node has no column types to sniff`, code: 'not_sniffable' };
  // The node alone, with the document's parameters: checked and migrated as a file of one node would be.
  const alone = checkPipeline({ ...doc, nodes: [structuredClone(node)], edges: [] }, kindLookup);
  if (!alone.pipeline) return { nodeId, error: alone.problems[0]?.message ?? 'the node\'s settings are not valid yet', code: 'invalid_config' };
  const applied = applyParams(alone.pipeline, o.params ?? {}).pipeline;
  const config = kind.config.safeParse(applied.nodes[0]?.config);
  if (!config.success) return { nodeId, error: 'the node\'s settings are not valid yet', code: 'invalid_config' };
  const env = engineSchemaEnv({ baseDir: o.baseDir, roots: o.roots ?? [o.baseDir] });
  const r = await kind.sniff.run({ config: config.data, env });
  return { nodeId, ...r };
}
