import { useEffect, useRef, useState, type FocusEvent as ReactFocusEvent, type KeyboardEvent as ReactKeyboardEvent, type ReactElement } from 'react';
import { basename } from '../lib/format';
import type { PipelineFileRef } from '../lib/file-host';
import { ChevronDownIcon, DownloadIcon, FolderIcon, KeyboardIcon, LayoutIcon, LogoMark, MoonIcon, PlayIcon, RedoIcon, SaveIcon, SpinnerIcon, SunIcon, UndoIcon } from '../lib/icons';
import { autoLayoutNow } from '../hooks/useShortcuts';
import { exportPipeline, newDocument, openDocument, openKnownFile, openSample, saveDocument, saveDocumentAs } from '../state/files';
import { useUi } from '../state/ui';
import { cancelRunNow, runPipelineNow, useRun } from '../state/run';
import { useDesigner, useIsDirty } from '../store';
import { RunsButton } from './runs/RunsView';

/** Mac users read ⌘, everyone else Ctrl. */
const MOD = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl+';

function FileMenu({ onImportFile }: { onImportFile: () => void }): ReactElement {
  const samples = useDesigner((s) => s.samples);
  const hasHost = useDesigner((s) => s.files !== undefined);
  const [open, setOpen] = useState(false);
  const [recent, setRecent] = useState<PipelineFileRef[]>([]);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !root.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('pointerdown', close);
    window.addEventListener('keydown', close);
    return () => {
      window.removeEventListener('pointerdown', close);
      window.removeEventListener('keydown', close);
    };
  }, [open]);
  const toggle = () => {
    if (!open) void useDesigner.getState().files?.host.recent().then(setRecent, () => setRecent([]));
    setOpen(!open);
  };
  const item = (label: string, action: () => void, testId: string, keys?: string) => (
    <button
      type="button"
      role="menuitem"
      className="menu__item"
      onClick={() => {
        setOpen(false);
        action();
      }}
      data-testid={testId}
    >
      <span>{label}</span>
      {keys && <kbd>{keys}</kbd>}
    </button>
  );
  const trigger = useRef<HTMLButtonElement>(null);
  // Escape closes the menu and gives focus back to its button; Tab (focus leaving the menu) closes it too.
  const onKeyDown = (e: ReactKeyboardEvent) => {
    if (e.key === 'Escape' && open) {
      setOpen(false);
      trigger.current?.focus();
    }
  };
  const onBlur = (e: ReactFocusEvent) => {
    if (open && !root.current?.contains(e.relatedTarget as Node | null)) setOpen(false);
  };
  return (
    <div className="menu" ref={root} onKeyDown={onKeyDown} onBlur={onBlur}>
      <button ref={trigger} type="button" className="button button--ghost" aria-haspopup="menu" aria-expanded={open} onClick={toggle} data-testid="open-menu">
        <FolderIcon size={15} /> File <ChevronDownIcon size={12} />
      </button>
      {open && (
        <div className="menu__popover" role="menu">
          {item('New pipeline', () => void newDocument(), 'new-document')}
          {hasHost && item('Open…', () => void openDocument(), 'open-document', `${MOD}O`)}
          {hasHost && item('Save as…', () => void saveDocumentAs(), 'save-as', `${MOD}Shift+S`)}
          <div className="menu__sep" role="separator" />
          {item('Import from this computer…', onImportFile, 'import-file')}
          {item('Export as download', exportPipeline, 'export-menu')}
          {recent.length > 0 && <div className="menu__heading">Recent</div>}
          {recent.map((r) => (
            <button
              key={r.path}
              type="button"
              role="menuitem"
              className="menu__item menu__item--stack"
              onClick={() => {
                setOpen(false);
                void openKnownFile(r);
              }}
              data-testid={`recent-${r.path}`}
            >
              <span>{r.name}</span>
              <span className="menu__sub">{r.path}</span>
            </button>
          ))}
          {samples.length > 0 && <div className="menu__heading">Samples</div>}
          {samples.map((s) => (
            <button
              key={s.path}
              type="button"
              role="menuitem"
              className="menu__item menu__item--stack"
              onClick={() => {
                setOpen(false);
                void openSample(s);
              }}
              data-testid={`sample-${basename(s.path)}`}
            >
              <span>{typeof s.pipeline === 'object' && s.pipeline !== null && 'name' in s.pipeline ? String(s.pipeline.name) : s.name}</span>
              <span className="menu__sub">{s.name}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

export function TopBar({ onImportFile }: { onImportFile: () => void }): ReactElement {
  const name = useDesigner((s) => s.meta.name);
  const fileName = useDesigner((s) => s.origin.file?.path ?? s.origin.fileName);
  const hasHost = useDesigner((s) => s.files !== undefined);
  // Before the engine answers there is no document yet; "Untitled pipeline" would suggest there is.
  const hasDocument = useDesigner((s) => s.status === 'ready');
  const engineVersion = useDesigner((s) => s.catalog?.engineVersion);
  const theme = useDesigner((s) => s.theme);
  const setTheme = useDesigner((s) => s.setTheme);
  const undo = useDesigner((s) => s.undo);
  const redo = useDesigner((s) => s.redo);
  const canUndo = useDesigner((s) => s.history.past.length > 0);
  const canRedo = useDesigner((s) => s.history.future.length > 0);
  const dirty = useIsDirty();
  const running = useRun((s) => s.phase === 'running');
  const canCancel = useRun((s) => s.phase === 'running' && s.jobId !== undefined);
  const cancelling = useRun((s) => s.cancelling);
  const hasNodes = useDesigner((s) => s.nodes.length > 0);
  const next = theme === 'dark' ? 'light' : 'dark';

  return (
    <header className="topbar">
      <div className="topbar__brand">
        <LogoMark size={20} />
        <span className="topbar__app">Sluice</span>
      </div>
      {hasDocument && (
        <>
          <span className="topbar__sep" aria-hidden="true">
            /
          </span>
          <h1 className="topbar__doc" data-testid="pipeline-name" title={fileName ? `${name} (${fileName})` : name}>
            {name}
          </h1>
          {fileName && (
            <span className="topbar__file" title={fileName} data-testid="document-file">
              {fileName}
            </span>
          )}
          {dirty && (
            <span className="topbar__dirty" title="Unsaved changes: save to keep them" data-testid="dirty-marker">
              ● unsaved
            </span>
          )}
          <div className="topbar__group">
            <FileMenu onImportFile={onImportFile} />
            {hasHost && (
              <button type="button" className="button button--ghost" onClick={() => void saveDocument()} title={`Save (${MOD}S)`} data-testid="save-document">
                <SaveIcon size={15} /> Save
              </button>
            )}
            <button type="button" className="button button--ghost" onClick={exportPipeline} title="Download as a pipeline file" data-testid="export-pipeline">
              <DownloadIcon size={15} /> Export
            </button>
          </div>
          <div className="topbar__group">
            <button type="button" className="icon-button" onClick={undo} disabled={!canUndo} aria-label="Undo" title={`Undo (${MOD}Z)`} data-testid="undo">
              <UndoIcon size={16} />
            </button>
            <button type="button" className="icon-button" onClick={redo} disabled={!canRedo} aria-label="Redo" title={`Redo (${MOD}Shift+Z)`} data-testid="redo">
              <RedoIcon size={16} />
            </button>
            <button type="button" className="icon-button" onClick={autoLayoutNow} disabled={!hasNodes} aria-label="Auto-layout" title="Auto-layout, left to right (Shift+L)" data-testid="auto-layout">
              <LayoutIcon size={16} />
            </button>
          </div>
        </>
      )}
      <div className="topbar__spacer" />
      <RunsButton />
      {engineVersion && (
        <span className="topbar__meta" title="Engine version">
          engine {engineVersion}
        </span>
      )}
      <button type="button" className="icon-button" onClick={() => useUi.getState().setHelpOpen(true)} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" data-testid="shortcuts-button">
        <KeyboardIcon size={16} />
      </button>
      <button
        type="button"
        className="icon-button"
        onClick={() => setTheme(next)}
        aria-label={`Switch to ${next} theme`}
        title={`Switch to ${next} theme`}
        data-testid="theme-toggle"
      >
        {theme === 'dark' ? <SunIcon size={16} /> : <MoonIcon size={16} />}
      </button>
      {hasDocument && running && (
        <button
          type="button"
          className="button button--ghost"
          onClick={() => void cancelRunNow()}
          disabled={!canCancel || cancelling}
          title="Stop the run; nothing unfinished is published"
          data-testid="run-cancel"
        >
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      )}
      {hasDocument && (
        <button
          type="button"
          className="button button--primary"
          onClick={() => void runPipelineNow()}
          disabled={running || !hasNodes}
          title={`Run the whole pipeline (${MOD}Enter)`}
          data-testid="run-button"
        >
          {running ? <SpinnerIcon size={13} /> : <PlayIcon size={12} />} {running ? 'Running…' : 'Run'}
        </button>
      )}
    </header>
  );
}
