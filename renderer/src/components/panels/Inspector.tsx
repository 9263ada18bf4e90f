// The right-hand panel: the selected node's settings, or the pipeline's own when nothing is selected.
import { useState, type ReactElement } from 'react';
import type { Problem } from '@sluice/format/pipeline/problems';
import { configFieldOf, essentialProblems, fieldLabel, humanizeMessage } from '../../lib/problems';
import { CategoryIcon, CopyIcon, TrashIcon } from '../../lib/icons';
import { nodeProblems, useChecks } from '../../state/checks';
import { useDesigner } from '../../store';
import { useRun, type CheckpointChoice } from '../../state/run';
import { usePreview } from '../../state/preview';
import { allowedHost } from '@sluice/format/api/hosts';
import { ConfigForm } from '../form/ConfigForm';
import { ParametersField } from '../Parameters';
import { ScheduleField } from './ScheduleField';
import { WatchField } from './WatchField';
import { SniffedTypes } from './SniffedTypes';

function ProblemList({ problems, onPick }: { problems: readonly Problem[]; onPick?: (p: Problem) => void }): ReactElement {
  return (
    <ul className="problem-list" data-testid="problem-list">
      {problems.map((p, i) => {
        const field = configFieldOf(p);
        const text = (
          <>
            {field ? <span className="problem-list__where">{fieldLabel(field)}</span> : p.nodeId && onPick ? <span className="problem-list__where">{p.nodeId}</span> : null}
            <span>{field ? humanizeMessage(p.message) : p.message}</span>
          </>
        );
        return (
          <li key={i}>
            {onPick && p.nodeId ? (
              <button type="button" className="problem-list__button" onClick={() => onPick(p)}>
                {text}
              </button>
            ) : (
              text
            )}
          </li>
        );
      })}
    </ul>
  );
}

function NodeInspector({ nodeId }: { nodeId: string }): ReactElement | null {
  // The node's data, not the node: a drag moves the node every frame but leaves its data alone.
  const data = useDesigner((s) => s.nodes.find((n) => n.id === nodeId)?.data);
  const info = useDesigner((s) => (data ? s.kinds[data.kind] : undefined));
  const setNodeLabel = useDesigner((s) => s.setNodeLabel);
  const duplicate = useDesigner((s) => s.duplicateSelection);
  const remove = useDesigner((s) => s.deleteSelection);
  const problems = useChecks((s) => nodeProblems(s, nodeId));
  if (!data) return null;
  const fieldProblems = [...problems.fields.values()].flatMap(essentialProblems);

  return (
    <div className="inspector__content" data-testid="inspector" data-node-id={nodeId}>
      <header className="inspector__header" data-category={info?.category ?? 'unknown'}>
        <span className="inspector__icon">
          <CategoryIcon category={info?.category} size={16} />
        </span>
        <div className="inspector__titles">
          <input
            className="inspector__label"
            value={data.label ?? ''}
            placeholder={info?.title ?? data.kind}
            aria-label="Node label"
            onChange={(e) => setNodeLabel(nodeId, e.target.value)}
            spellCheck={false}
            data-testid="node-label"
          />
          <div className="inspector__kind">
            {info?.title ?? `Unknown kind “${data.kind}”`} · <code>{nodeId}</code>
          </div>
        </div>
      </header>
      {info?.description && <p className="inspector__description">{info.description}</p>}
      {problems.total > 0 && (
        <section className="inspector__problems" aria-label="Problems" data-testid="node-problems">
          <div className="inspector__problems-title">
            {problems.total === 1 ? '1 problem' : `${problems.total} problems`} to fix before this node can run
          </div>
          <ProblemList problems={[...problems.node, ...fieldProblems]} />
        </section>
      )}
      {info?.sniffField && <SniffedTypes nodeId={nodeId} info={info} config={data.config} />}
      {info ? (
        <ConfigForm nodeId={nodeId} info={info} config={data.config} />
      ) : (
        <p className="inspector__note">This engine does not know the kind “{data.kind}”, so its settings cannot be edited here. They are kept as they are in the file.</p>
      )}
      <footer className="inspector__actions">
        <button type="button" className="button" onClick={duplicate} title="Duplicate (Ctrl+D)" data-testid="duplicate-node">
          <CopyIcon size={14} /> Duplicate
        </button>
        <button type="button" className="button button--danger" onClick={remove} title="Delete (Delete key)" data-testid="delete-node">
          <TrashIcon size={14} /> Delete
        </button>
      </footer>
    </div>
  );
}

function PipelineInspector(): ReactElement {
  const meta = useDesigner((s) => s.meta);
  const count = useDesigner((s) => s.nodes.length);
  const edges = useDesigner((s) => s.edges.length);
  const baseDir = useDesigner((s) => s.origin.baseDir);
  const setMeta = useDesigner((s) => s.setMeta);
  const selectOnly = useDesigner((s) => s.selectOnly);
  const problems = useChecks((s) => s.problems);
  const checkpoint = useRun((s) => s.checkpoint);

  return (
    <div className="inspector__content" data-testid="pipeline-inspector">
      <header className="inspector__header inspector__header--doc">
        <div className="inspector__titles">
          <div className="inspector__eyebrow">Pipeline</div>
          <input className="inspector__label" value={meta.name} aria-label="Pipeline name" onChange={(e) => setMeta({ name: e.target.value })} spellCheck={false} />
          <div className="inspector__kind">
            {count} nodes · {edges} connections
          </div>
        </div>
      </header>
      <div className="field">
        <label className="field__label" htmlFor="pipeline-description">
          Description
        </label>
        <textarea
          id="pipeline-description"
          className="input input--area"
          rows={4}
          value={meta.description ?? ''}
          onChange={(e) => setMeta({ description: e.target.value === '' ? undefined : e.target.value })}
        />
      </div>
      <ParametersField />
      {baseDir && (
        <div className="field">
          <div className="field__label">Files resolve in</div>
          <code className="inspector__path" title={baseDir}>
            {baseDir.length > 44 ? `…${baseDir.slice(-43)}` : baseDir}
          </code>
        </div>
      )}
      <div className="field">
        <label className="field__label" htmlFor="run-checkpoint">
          Checkpoints for resume
        </label>
        <select id="run-checkpoint" className="input select" value={checkpoint} onChange={(e) => useRun.setState({ checkpoint: e.target.value as CheckpointChoice })} data-testid="run-checkpoint">
          {CHECKPOINT_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
        <p className="field__help">{CHECKPOINT_CHOICES.find((c) => c.value === checkpoint)?.help}</p>
      </div>
      <NetworkHostsField />
      <AllowedEnvField />
      <ScheduleField />
      <WatchField />
      {problems.length > 0 ? (
        <section className="inspector__problems" aria-label="Problems" data-testid="pipeline-problems">
          <div className="inspector__problems-title">{problems.length === 1 ? '1 problem' : `${problems.length} problems`} in this pipeline</div>
          <ProblemList problems={problems} onPick={(p) => p.nodeId && selectOnly(p.nodeId)} />
        </section>
      ) : (
        count > 0 && <p className="inspector__ok">The engine finds no problems in this pipeline.</p>
      )}
      <p className="inspector__hint">Select a node to edit its settings and preview its rows.</p>
    </div>
  );
}

export function Inspector(): ReactElement {
  const selected = useDesigner((s) => s.selectedNodeIds);
  const duplicate = useDesigner((s) => s.duplicateSelection);
  const remove = useDesigner((s) => s.deleteSelection);
  const only = selected.length === 1 ? selected[0] : undefined;
  return (
    <aside className="inspector" aria-label="Settings">
      {only ? (
        <NodeInspector key={only} nodeId={only} />
      ) : selected.length > 1 ? (
        <div className="inspector__content">
          <p className="inspector__hint">{selected.length} nodes selected.</p>
          <footer className="inspector__actions">
            <button type="button" className="button" onClick={duplicate}>
              <CopyIcon size={14} /> Duplicate
            </button>
            <button type="button" className="button button--danger" onClick={remove}>
              <TrashIcon size={14} /> Delete
            </button>
          </footer>
        </div>
      ) : (
        <PipelineInspector />
      )}
    </aside>
  );
}

/** The engine's checkpoint policies, as this window's runs offer them. */
const CHECKPOINT_CHOICES: { value: CheckpointChoice; label: string; help: string }[] = [
  { value: 'auto', label: 'Where they pay (default)', help: 'A node\'s output is kept when rebuilding it would cost at least three times writing it; a resume reruns the rest.' },
  { value: 'all', label: 'Every node output', help: 'A resume reruns the least, but each run writes every output to disk.' },
  { value: 'off', label: 'None', help: 'Fastest runs; a resume reruns every unfinished node (published outputs are never written twice).' },
];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * Environment variables REST sources may read secrets from, besides `SLUICE_SECRET_…`, in this window's runs
 * and previews. A pipeline file names which variable goes into which header, so without this list it could send
 * any of the user's variables (HOME, a cloud key) to an API; only names typed here are read.
 */
function AllowedEnvField(): ReactElement {
  const [text, setText] = useState(() => useRun.getState().allowEnv.join(', '));
  const invalid = text.split(/[\s,]+/).filter(Boolean).filter((e) => !ENV_NAME.test(e));
  const change = (value: string) => {
    setText(value);
    const list = value.split(/[\s,]+/).filter(Boolean);
    if (list.every((e) => ENV_NAME.test(e))) {
      useRun.setState({ allowEnv: list });
      usePreview.getState().refresh();
    }
  };
  return (
    <div className="field">
      <label className="field__label" htmlFor="run-allow-env">
        Environment variables
      </label>
      <input
        id="run-allow-env"
        className="input"
        value={text}
        placeholder="ORDERS_TOKEN"
        spellCheck={false}
        aria-invalid={invalid.length > 0 || undefined}
        aria-describedby="run-allow-env-note"
        onChange={(e) => change(e.target.value)}
        data-testid="run-allow-env"
      />
      {invalid.length > 0 ? (
        <ul className="field__errors" id="run-allow-env-note" role="alert">
          <li>not a variable name: {invalid.join(', ')}; the list in use is unchanged</li>
        </ul>
      ) : (
        <p className="field__help" id="run-allow-env-note">
          Variables REST sources may read secrets from, besides SLUICE_SECRET_…, in this window&apos;s runs and previews. Never saved in the pipeline file.
        </p>
      )}
    </div>
  );
}

/**
 * Hosts REST sources may reach from this window's runs and previews. The engine refuses every other host, and
 * a pipeline file cannot add any: only what the user types here (or the server was started with) counts.
 */
function NetworkHostsField(): ReactElement {
  const [text, setText] = useState(() => useRun.getState().allowHosts.join(', '));
  const entries = text.split(/[\s,]+/).filter(Boolean);
  const invalid = entries.filter((e) => allowedHost(e) === undefined);
  const change = (value: string) => {
    setText(value);
    const list = value.split(/[\s,]+/).filter(Boolean);
    if (list.every((e) => allowedHost(e) !== undefined)) {
      useRun.setState({ allowHosts: list });
      // A REST source that was refused may now have rows to show.
      usePreview.getState().refresh();
    }
  };
  return (
    <div className="field">
      <label className="field__label" htmlFor="run-allow-hosts">
        Network hosts
      </label>
      <input
        id="run-allow-hosts"
        className="input"
        value={text}
        placeholder="api.example.com, 127.0.0.1:8080"
        spellCheck={false}
        aria-invalid={invalid.length > 0 || undefined}
        aria-describedby="run-allow-hosts-note"
        onChange={(e) => change(e.target.value)}
        data-testid="run-allow-hosts"
      />
      {invalid.length > 0 ? (
        <ul className="field__errors" id="run-allow-hosts-note" role="alert">
          <li>
            not a host: {invalid.join(', ')} (use HOST or HOST:PORT); the list in use is unchanged
          </li>
        </ul>
      ) : (
        <p className="field__help" id="run-allow-hosts-note">
          The only hosts REST sources may reach, in this window&apos;s runs and previews. Never saved in the pipeline file.
        </p>
      )}
    </div>
  );
}
