// What the last run said about an edge's columns against the accepted schema (the manifest's schemaDrift), in
// one line for the edge's tooltip and the Run tab.
import type { RunManifest } from '@sluice/format/api/contract';
import { describeDrift } from '@sluice/format/schema/drift';

export function runEdgeDrift(manifest: Pick<RunManifest, 'schemaDrift'> | undefined, from: { node: string; port: string | null | undefined }, to: { node: string; port: string | null | undefined }): string | undefined {
  const d = manifest?.schemaDrift?.find((x) => x.from.node === from.node && x.from.port === from.port && x.to.node === to.node && x.to.port === to.port);
  return d ? describeDrift(d) : undefined;
}
