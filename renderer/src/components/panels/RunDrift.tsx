// The Run tab's list of edges whose columns in the run differed from the accepted schema (the file's declared
// types): a file that gained, lost or retyped a column says so on every edge it reached.
import type { ReactElement } from 'react';
import type { RunManifest } from '@sluice/format/api/contract';
import { describeDrift } from '@sluice/format/schema/drift';
import { WithNodeRefs } from '../NodeRef';

export function RunDrift({ manifest }: { manifest: Pick<RunManifest, 'schemaDrift'> }): ReactElement | null {
  const drift = manifest.schemaDrift ?? [];
  if (drift.length === 0) return null;
  return (
    <div className="run-summary__drift" data-testid="run-drift">
      <strong>Columns differ from the accepted schema</strong>
      <ul>
        {drift.map((d) => (
          <li key={`${d.from.node}.${d.from.port}>${d.to.node}.${d.to.port}`}>
            <WithNodeRefs text={`node "${d.from.node}" → node "${d.to.node}": ${describeDrift(d)}`} />
          </li>
        ))}
      </ul>
    </div>
  );
}
