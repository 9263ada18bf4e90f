import { useCallback, useEffect, useRef, useState, type ChangeEvent, type ReactElement } from 'react';
import { Banner } from './components/Banner';
import { Canvas } from './components/Canvas';
import { DiscardDialog } from './components/DiscardDialog';
import { RunParamsDialog } from './components/Parameters';
import { FileDialogs } from './components/FileDialogs';
import { RecoveryPrompt } from './components/RecoveryPrompt';
import { Palette } from './components/Palette';
import { BottomPanel } from './components/panels/BottomPanel';
import { Inspector } from './components/panels/Inspector';
import { Toasts } from './components/Toasts';
import { ShortcutsHelp } from './components/ShortcutsHelp';
import { TopBar } from './components/TopBar';
import { RunsView } from './components/runs/RunsView';
import { connect } from './connect';
import { useShellMenu, type ShellFileHandlers } from './files/shell-menu';
import { startDraftKeeper } from './files/recovery';
import { useShortcuts } from './hooks/useShortcuts';
import { useValidationDriver } from './state/checks';
import { exportPipeline, importPipelineFile, newDocument, openDocument, openKnownFile, saveDocument, saveDocumentAs } from './state/files';
import { basename } from './lib/format';
import { usePreviewDriver } from './state/preview';
import { useRunDriver } from './state/run';
import { useInputsDriver } from './state/inputs';
import { isDirty, useDesigner, useIsDirty } from './store';

/** The desktop shell's File menu runs the designer's own file actions (stable, so the menu binds once). */
const SHELL_FILES: ShellFileHandlers = {
  newDocument,
  open: openDocument,
  openFile: (path) => openKnownFile({ path, name: basename(path) }),
  save: async () => void (await saveDocument()),
  saveAs: async () => void (await saveDocumentAs()),
  exportJson: exportPipeline,
};

/** Files dragged from the desktop anywhere onto the window open as pipelines. */
function useFileDrop(): boolean {
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth += 1;
      setOver(true);
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const overFn = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      const file = e.dataTransfer?.files[0];
      if (file && useDesigner.getState().status === 'ready') void importPipelineFile(file);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', overFn);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', overFn);
      window.removeEventListener('drop', drop);
    };
  }, []);
  return over;
}

export function App(): ReactElement {
  const theme = useDesigner((s) => s.theme);
  const banner = useDesigner((s) => s.banner);
  const status = useDesigner((s) => s.status);
  const fileInput = useRef<HTMLInputElement>(null);
  const importFile = useCallback(() => fileInput.current?.click(), []);
  const dropping = useFileDrop();
  const name = useDesigner((s) => (s.status === 'ready' ? s.meta.name : undefined));
  const dirty = useIsDirty();

  useValidationDriver();
  usePreviewDriver();
  useRunDriver();
  useInputsDriver();
  useShortcuts();
  useShellMenu(SHELL_FILES);

  useEffect(() => startDraftKeeper(), []);

  // The tab's title carries the unsaved marker too, for a designer left in a background tab.
  useEffect(() => {
    document.title = name === undefined ? 'Sluice' : `${dirty ? '● ' : ''}${name} — Sluice`;
  }, [name, dirty]);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    void connect();
  }, []);

  // Closing the tab with unsaved edits asks first; the browser words the question itself.
  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      const s = useDesigner.getState();
      if (s.status === 'ready' && isDirty(s)) e.preventDefault();
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, []);

  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    // Cleared so that picking the same file again still fires a change.
    e.target.value = '';
    if (file) void importPipelineFile(file);
  };

  return (
    <div className="app" data-status={status}>
      <TopBar onImportFile={importFile} />
      <div className="notices">
        {banner && <Banner banner={banner} onRetry={() => void connect()} />}
        {status === 'ready' && <RecoveryPrompt />}
      </div>
      <main className="workspace">
        <Palette />
        <div className="center">
          <Canvas />
          {status === 'ready' && <BottomPanel />}
          <Toasts />
        </div>
        {status === 'ready' && <Inspector />}
      </main>
      <ShortcutsHelp />
      <RunsView />
      <FileDialogs />
      <DiscardDialog />
      <RunParamsDialog />
      <input ref={fileInput} type="file" accept=".json,application/json" hidden onChange={onFile} data-testid="file-input" />
      {dropping && (
        <div className="drop-overlay" aria-hidden="true">
          <div className="drop-overlay__card">Drop a pipeline file to open it</div>
        </div>
      )}
    </div>
  );
}
