// A run's bytes per node in the Runs view (engine/src/ops/bytes.ts measures them).
import type { ReactElement } from 'react';
import type { NodeBytes } from '@sluice/format/api/ops-contract';
import { formatBytes } from '../../lib/bytes';

/** What a source read or a sink wrote, with how it was measured on hover (a DuckDB file holds every table). */
export function NodeBytesCell({ b }: { b: NodeBytes | undefined }): ReactElement {
  if (!b) return <td className="num" />;
  const what = b.read !== undefined ? `read ${formatBytes(b.read)}` : `wrote ${formatBytes(b.written ?? 0)}`;
  return (
    <td className="num" title={`${b.from}; ${b.files} file${b.files === 1 ? '' : 's'}`} data-testid="runs-node-bytes">
      {what}
    </td>
  );
}

