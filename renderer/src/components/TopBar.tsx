import { useEffect, useRef, useState, type ReactElement } from 'react';
import { useStore } from 'zustand';
import { basename } from '../lib/format';
import { ChevronDownIcon, DownloadIcon, FolderIcon, KeyboardIcon, LayoutIcon, LogoMark, MoonIcon, PlayIcon, RedoIcon, SpinnerIcon, SunIcon, UndoIcon } from '../lib/icons';
import { autoLayoutNow } from '../hooks/useShortcuts';
import { exportPipeline, openSample } from '../state/files';
import { useUi } from '../state/ui';
import { cancelRunNow, runPipelineNow, useRun } from '../state/run';
import { useDesigner, useIsDirty } from '../store';

/** Mac users read ⌘, everyone else Ctrl. */
const MOD = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl+';

function OpenMenu({ onOpenFile }: { onOpenFile: () => void }): ReactElement {
  const samples = useDesigner((s) => s.samples);
  const [open, setOpen] = useState(false);
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
  return (
    <div className="menu" ref={root}>
      <button type="button" className="button button--ghost" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="open-menu">
        <FolderIcon size={15} /> Open <ChevronDownIcon size={12} />
      </button>
      {open && (
        <div className="menu__popover" role="menu">
          <button
            type="button"
            role="menuitem"
            className="menu__item"
            onClick={() => {
              setOpen(false);
              onOpenFile();
            }}
            data-testid="import-file"
          >
            <span>Pipeline file…</span>
            <kbd>{MOD}O</kbd>
          </button>
          {samples.length > 0 && <div className="menu__heading">Samples</div>}
          {samples.map((s) => (
            <button
              key={s.path}
              type="button"
              role="menuitem"
              className="menu__item menu__item--stack"
              onClick={() => {
                setOpen(false);
                openSample(s);
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

export function TopBar({ onOpenFile }: { onOpenFile: () => void }): ReactElement {
  const name = useDesigner((s) => s.meta.name);
  const fileName = useDesigner((s) => s.origin.fileName);
  // Before the engine answers there is no document yet; "Untitled pipeline" would suggest there is.
  const hasDocument = useDesigner((s) => s.status === 'ready');
  const engineVersion = useDesigner((s) => s.catalog?.engineVersion);
  const theme = useDesigner((s) => s.theme);
  const setTheme = useDesigner((s) => s.setTheme);
  const undo = useDesigner((s) => s.undo);
  const redo = useDesigner((s) => s.redo);
  const canUndo = useStore(useDesigner.temporal, (s) => s.pastStates.length > 0);
  const canRedo = useStore(useDesigner.temporal, (s) => s.futureStates.length > 0);
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
          {dirty && (
            <span className="topbar__dirty" title="Unsaved changes: export to keep them" data-testid="dirty-marker">
              ● edited
            </span>
          )}
          <div className="topbar__group">
            <OpenMenu onOpenFile={onOpenFile} />
            <button type="button" className="button button--ghost" onClick={exportPipeline} title={`Download as a pipeline file (${MOD}S)`} data-testid="export-pipeline">
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
