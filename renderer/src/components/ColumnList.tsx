// The columns a port or an edge carries, as the engine works them out without running: shared by the edge
// hover and the port hover so both say the same thing the same way.
import type { ReactElement } from 'react';

export interface ShownColumn {
  name: string;
  type: string;
  nullable?: boolean | undefined;
}

/** `undefined`: not checked yet; `null`: known only once the node runs (e.g. a REST or JSON source). */
export function ColumnList({ columns }: { columns: readonly ShownColumn[] | null | undefined }): ReactElement {
  if (columns === undefined) return <div className="edge-schema__note">Columns not checked yet</div>;
  if (columns === null) return <div className="edge-schema__note">Columns known once it runs (e.g. a REST or JSON source)</div>;
  if (columns.length === 0) return <div className="edge-schema__note">No columns</div>;
  return (
    <table>
      <tbody>
        {columns.map((c) => (
          <tr key={c.name}>
            <td className="edge-schema__name">{c.name}</td>
            <td className="edge-schema__type">
              {c.type}
              {c.nullable === false ? ' not null' : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
