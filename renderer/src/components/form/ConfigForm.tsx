// A node's config form, generated from its kind's JSON Schema in the engine catalog. Edits go straight into
// the pipeline document; the engine's `validate` answers with problems that land next to their fields.
import { useCallback, useMemo, type ReactElement } from 'react';
import type { NodeKindInfo } from '@sluice/format/api/contract';
import { pathToString } from '@sluice/format/pipeline/problems';
import { setIn, type Path } from '../../lib/immutable';
import { asSchema } from '../../lib/schema';
import { nodeProblems, useChecks } from '../../state/checks';
import { useInputColumns } from '../../state/columns';
import { useDesigner } from '../../store';
import { FormContext, type FormContextValue } from './context';
import { ObjectFields } from './SchemaField';

export function ConfigForm({ nodeId, info, config }: { nodeId: string; info: NodeKindInfo; config: Record<string, unknown> }): ReactElement {
  const setNodeConfig = useDesigner((s) => s.setNodeConfig);
  const fields = useChecks((s) => nodeProblems(s, nodeId).fields);
  const columns = useInputColumns(info.inputs.length > 0 ? nodeId : undefined);
  const schema = useMemo(() => asSchema(info.configSchema), [info.configSchema]);

  const set = useCallback(
    (path: Path, value: unknown) => {
      // Read the config at write time: two quick edits must not both start from the same old config.
      const node = useDesigner.getState().nodes.find((n) => n.id === nodeId);
      if (!node) return;
      const next = setIn(node.data.config, path, value);
      setNodeConfig(nodeId, (next ?? {}) as Record<string, unknown>, pathToString(path));
    },
    [nodeId, setNodeConfig],
  );

  const inputs = useMemo(() => info.inputs.map((p) => p.name), [info.inputs]);
  const ctx = useMemo<FormContextValue>(() => ({ nodeId, problems: fields, columns, inputs, set }), [nodeId, fields, columns, inputs, set]);
  const known = new Set(Object.keys(schema.properties ?? {}));
  const unknownKeys = Object.keys(config).filter((k) => !known.has(k));

  return (
    <FormContext.Provider value={ctx}>
      <form className="config-form" data-testid="config-form" onSubmit={(e) => e.preventDefault()} noValidate>
        {known.size === 0 && <p className="config-form__empty">This node has no settings.</p>}
        <ObjectFields schema={schema} value={config} path={[]} />
        {unknownKeys.length > 0 && (
          <div className="config-form__unknown">
            Settings this node kind does not know: {unknownKeys.map((k) => `“${k}”`).join(', ')}. They are kept in the file; the engine reports them below.
          </div>
        )}
      </form>
    </FormContext.Provider>
  );
}
