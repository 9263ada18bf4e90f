// The browser's file dialogs: pick a pipeline file in the workspace, or name one to save. Native dialogs take
// their place in Electron (see files/choose.ts).
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactElement } from 'react';
import type { WorkspaceFile } from '@sluice/format/api/contract';
import type { PipelineHealth as PipelineStatus } from '@sluice/format/api/ops-contract';
import { useDesigner } from '../store';
import { normalizeSaveName, useFileDialog, type DialogRequest } from '../files/dialogs';
import { FileIcon, SearchIcon } from '../lib/icons';

function folderOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Escape closes the dialog; focus starts where the user types. */
function useDialogKeys(onCancel: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        onCancel();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onCancel]);
}

function OpenDialog({ request }: { request: Extract<DialogRequest, { kind: 'open' }> }): ReactElement {
  const [filter, setFilter] = useState('');
  const [chosen, setChosen] = useState<string | undefined>(request.files[0]?.path);
  const search = useRef<HTMLInputElement>(null);
  const cancel = useMemo(() => () => request.resolve(undefined), [request]);
  useDialogKeys(cancel);
  useEffect(() => search.current?.focus(), []);
  // Each pipeline's freshness, as `sluice status` tells it; the dialog works without it.
  const api = useDesigner((s) => s.api);
  const [health, setHealth] = useState<Map<string, PipelineStatus>>(new Map());
  useEffect(() => {
    if (!api) return;
    let current = true;
    api.workspaceStatus({}).then(
      (rows) => current && setHealth(new Map(rows.map((r) => [r.file.replaceAll('\\', '/'), r]))),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [api]);
  const shown = request.files.filter((f) => f.path.toLowerCase().includes(filter.trim().toLowerCase()));
  const pick = chosen !== undefined && shown.some((f) => f.path === chosen) ? chosen : shown[0]?.path;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (pick) request.resolve(pick);
  };
  return (
    <form className="modal file-dialog" role="dialog" aria-modal="true" aria-labelledby="open-title" onSubmit={submit} data-testid="open-dialog">
      <div className="modal__head">
        <h2 id="open-title">Open a pipeline</h2>
      </div>
      <p className="file-dialog__where" title={request.root}>
        Workspace <code>{request.root}</code>
      </p>
      <label className="file-dialog__search">
        <SearchIcon size={14} />
        <input ref={search} className="input" type="search" placeholder="Filter files" aria-label="Filter files" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </label>
      {shown.length === 0 ? (
        <p className="file-dialog__empty">{request.files.length === 0 ? 'No .json files in this workspace yet. Save a pipeline here first.' : 'No file matches the filter.'}</p>
      ) : (
        <ul className="file-list" role="listbox" aria-label="Pipeline files">
          {shown.map((f) => (
            <FileRow key={f.path} file={f} status={health.get(f.path)} selected={f.path === pick} onPick={() => setChosen(f.path)} onOpen={() => request.resolve(f.path)} />
          ))}
        </ul>
      )}
      <div className="modal__foot">
        <button type="button" className="button button--ghost" onClick={cancel} data-testid="dialog-cancel">
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={!pick} data-testid="open-confirm">
          Open
        </button>
      </div>
    </form>
  );
}

const HEALTH_TAG: Partial<Record<PipelineStatus['health'], string>> = { healthy: 'healthy', late: 'late', failing: 'failing' };

/** A pipeline's health: healthy, late or failing by its declared freshness; else when it last ran. */
function Health({ status }: { status: PipelineStatus | undefined }): ReactElement | null {
  if (!status) return null;
  const tag = HEALTH_TAG[status.health];
  const label = tag ?? (status.lastOutcome ? `last run ${status.lastOutcome.replace('_', ' ')}` : undefined);
  if (!label) return null;
  return (
    <span className={`tag file-list__health file-list__health--${tag ?? 'unknown'}`} title={`${status.name}: ${status.why}${status.owner ? ` (owner ${status.owner})` : ''}`} data-testid="file-health">
      {label}
    </span>
  );
}

function FileRow({ file, status, selected, onPick, onOpen }: { file: WorkspaceFile; status: PipelineStatus | undefined; selected: boolean; onPick(): void; onOpen(): void }): ReactElement {
  const folder = folderOf(file.path);
  return (
    <li
      role="option"
      aria-selected={selected}
      className={`file-list__row${selected ? ' is-selected' : ''}`}
      onClick={onPick}
      onDoubleClick={onOpen}
      data-testid={`workspace-file-${file.path}`}
    >
      <FileIcon size={15} />
      <span className="file-list__name">{file.name}</span>
      <span className="file-list__folder">{folder}</span>
      <Health status={status} />
      <span className="file-list__when">{when.format(file.modifiedMs)}</span>
    </li>
  );
}

function SaveAsDialog({ request }: { request: Extract<DialogRequest, { kind: 'saveAs' }> }): ReactElement {
  const [name, setName] = useState(request.suggestedName);
  const [problem, setProblem] = useState<{ error: string; exists?: boolean; for: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const cancel = useMemo(() => () => request.resolve(false), [request]);
  useDialogKeys(cancel);
  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    // Select the name without its extension, as desktop save dialogs do.
    const base = el.value.replace(/(\.pipeline)?\.json$/i, '');
    el.setSelectionRange(el.value.lastIndexOf('/') + 1, base.length);
  }, []);
  const path = normalizeSaveName(name);
  const replacing = problem?.exists === true && problem.for === path;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!path || busy) return;
    setBusy(true);
    const answer = await request.submit(path, replacing);
    setBusy(false);
    if (answer) setProblem({ ...answer, for: path });
    else request.resolve(true);
  };
  const folders = [...new Set(request.files.map((f) => folderOf(f.path)).filter(Boolean))];
  return (
    <form className="modal file-dialog file-dialog--narrow" role="dialog" aria-modal="true" aria-labelledby="save-title" onSubmit={(e) => void submit(e)} data-testid="save-dialog">
      <div className="modal__head">
        <h2 id="save-title">Save pipeline as</h2>
      </div>
      <p className="file-dialog__where" title={request.root}>
        Workspace <code>{request.root}</code>
      </p>
      <label className="field__label" htmlFor="save-name">
        File name
      </label>
      <input
        ref={input}
        id="save-name"
        className="input input--mono"
        value={name}
        onChange={(e) => setName(e.target.value)}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={problem && problem.for === path && !problem.exists ? true : undefined}
        aria-describedby="save-help"
        list={folders.length > 0 ? 'save-folders' : undefined}
        data-testid="save-name"
      />
      {folders.length > 0 && (
        <datalist id="save-folders">
          {folders.map((f) => (
            <option key={f} value={`${f}/`} />
          ))}
        </datalist>
      )}
      <p id="save-help" className="field__help">
        {path && path !== name.trim() ? (
          <>
            Saved as <code>{path}</code>.{' '}
          </>
        ) : null}
        Folders are written with <code>/</code>; the folder must exist.
      </p>
      {problem && problem.for === path && (
        <p className={`file-dialog__problem${problem.exists ? ' is-warning' : ''}`} role="alert" data-testid="save-problem">
          {problem.error}
        </p>
      )}
      <div className="modal__foot">
        <button type="button" className="button button--ghost" onClick={cancel} data-testid="dialog-cancel">
          Cancel
        </button>
        <button type="submit" className={`button ${replacing ? 'button--danger' : 'button--primary'}`} disabled={!path || busy} data-testid="save-confirm">
          {replacing ? 'Replace' : 'Save'}
        </button>
      </div>
    </form>
  );
}

export function FileDialogs(): ReactElement | null {
  const request = useFileDialog((s) => s.request);
  if (!request) return null;
  return (
    <div
      className="modal-backdrop"
      onPointerDown={(e) => {
        if (e.target !== e.currentTarget) return;
        if (request.kind === 'open') request.resolve(undefined);
        else request.resolve(false);
      }}
    >
      {request.kind === 'open' ? <OpenDialog request={request} /> : <SaveAsDialog request={request} />}
    </div>
  );
}
