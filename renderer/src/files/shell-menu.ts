// The desktop shell's menu, carried out with the designer's existing actions. The integrator mounts
// `useShellMenu()` once (in App) and may pass the Save/Open handlers of the designer's file UI; without them,
// pipeline files go through the Electron FileHost directly. Does nothing in a browser (no `window.sluice`).
import { useEffect } from 'react';
import type { MenuAction, SluiceBridge } from '@sluice/shell/bridge';
import { parsePipelineText } from '@sluice/format/pipeline/load';
import { pipelineSchema } from '@sluice/format/pipeline/pipeline';
import { formatProblem } from '@sluice/format/pipeline/problems';
import { serializePipeline } from '@sluice/format/pipeline/save';
import { shellBridge } from '../api/ipc-client';
import { dirname, pipelineFileName } from '../lib/format';
import { exportPipeline } from '../state/files';
import { resetRun, runPipelineNow } from '../state/run';
import { notify } from '../state/toasts';
import { isDirty as isDocumentDirty, useDesigner } from '../store';
import { createElectronFileHost } from './electron-host';
import type { FileHost, PipelineFileRef } from '../lib/file-host';

export interface ShellFileHandlers {
  newDocument(): void | Promise<void>;
  open(): void | Promise<void>;
  /** A file from the recent list, the command line or the OS. */
  openFile(path: string): void | Promise<void>;
  save(): void | Promise<void>;
  saveAs(): void | Promise<void>;
  exportJson(): void | Promise<void>;
}

export function isDirty(): boolean {
  return isDocumentDirty(useDesigner.getState());
}

function editingText(): boolean {
  const el = document.activeElement;
  const inField = el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
  return inField || Boolean(window.getSelection()?.toString());
}

function mayDiscard(): boolean {
  return !isDirty() || window.confirm(`Discard the unsaved changes to “${useDesigner.getState().meta.name}”?`);
}

/** What a menu action does; the file actions are the given handlers, the rest are the store's own actions. */
export function menuActionRunner(files: ShellFileHandlers, bridge: Pick<SluiceBridge, 'confirmClose' | 'nativeEdit'>) {
  return async (action: MenuAction): Promise<void> => {
    const s = useDesigner.getState();
    switch (action.type) {
      case 'new':
        return files.newDocument();
      case 'open':
        return files.open();
      case 'open-file':
        return files.openFile(action.path);
      case 'save':
        return files.save();
      case 'save-as':
        return files.saveAs();
      case 'export-json':
        return files.exportJson();
      case 'run':
        return runPipelineNow();
      // In a text field the menu edits the text, as the same keys do (the shell does it: the page has no clipboard
      // access); elsewhere it edits the graph.
      case 'undo':
        if (editingText()) bridge.nativeEdit('undo');
        else s.undo();
        return;
      case 'redo':
        if (editingText()) bridge.nativeEdit('redo');
        else s.redo();
        return;
      case 'copy':
        if (editingText()) bridge.nativeEdit('copy');
        else s.copySelection();
        return;
      case 'paste':
        if (editingText()) bridge.nativeEdit('paste');
        else s.paste();
        return;
      case 'toggle-theme':
        s.setTheme(s.theme === 'dark' ? 'light' : 'dark');
        return;
      case 'save-and-close':
        await files.save();
        // A cancelled Save As leaves the changes unsaved: then the window stays open.
        if (!isDirty()) bridge.confirmClose();
        return;
    }
  };
}

/** Pipeline files through a FileHost: the default file handlers when the designer passes none. */
export function hostFileHandlers(host: FileHost): ShellFileHandlers {
  // The file the document was last opened from or saved to with this host; Save writes there.
  let current: PipelineFileRef | undefined;

  const load = (ref: PipelineFileRef, text: string) => {
    const parsed = parsePipelineText(text);
    const shape = parsed.raw === undefined ? undefined : pipelineSchema.safeParse(parsed.raw);
    if (!shape?.success) {
      const problems = parsed.problems.length > 0 ? parsed.problems : [{ path: '', message: 'not a Sluice pipeline' }];
      notify({ tone: 'error', title: `Could not open ${ref.name}`, detail: problems.slice(0, 3).map((p) => formatProblem(p)).join('; ') });
      return;
    }
    if (!mayDiscard()) return;
    resetRun();
    // Relative paths in the file resolve in its own folder, as `sluice run <file>` resolves them.
    useDesigner.getState().loadPipeline(shape.data, { fileName: ref.name, baseDir: dirname(ref.path) });
    current = ref;
  };
  const failed = (what: string) => (err: unknown) => notify({ tone: 'error', title: `Could not ${what}`, detail: err instanceof Error ? err.message : String(err) });
  const text = () => serializePipeline(useDesigner.getState().toPipeline());
  const saveAs = async () => {
    const s = useDesigner.getState();
    const ref = await host.saveAs(pipelineFileName(s.meta.name, s.origin.fileName), text()).catch(failed('save the pipeline'));
    if (!ref) return;
    current = ref;
    useDesigner.getState().markSaved(ref.name);
    notify({ tone: 'success', title: `Saved ${ref.name}` });
  };

  return {
    newDocument() {
      if (!mayDiscard()) return;
      resetRun();
      current = undefined;
      useDesigner.getState().newPipeline();
    },
    async open() {
      const picked = await host.open().catch(failed('open the file'));
      if (picked) load(picked.ref, picked.text);
    },
    async openFile(path) {
      const ref = { path, name: path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1) };
      const content = await host.read(ref).catch(failed(`open ${ref.name}`));
      if (content !== undefined) load(ref, content);
    },
    async save() {
      if (!current) return saveAs();
      const ref = current;
      const saved = await host.save(ref, text()).catch(failed(`save ${ref.name}`));
      if (saved) useDesigner.getState().markSaved(saved.name);
    },
    saveAs,
    exportJson: exportPipeline,
  };
}

/** Tells the shell when the document's unsaved state or name changes (for the close prompt and the title). */
function reportDocumentState(bridge: SluiceBridge): () => void {
  let last = '';
  const report = () => {
    const s = useDesigner.getState();
    const state = { dirty: s.status === 'ready' && isDirty(), title: s.meta.name };
    const key = JSON.stringify(state);
    if (key === last) return;
    last = key;
    bridge.setDocumentState(state);
  };
  let seen: unknown[] = [];
  report();
  return useDesigner.subscribe((s) => {
    // Only when the document, its saved state or the status changed (not on selection or measuring).
    const parts = [s.doc, s.saved, s.status];
    if (parts.every((p, i) => p === seen[i])) return;
    seen = parts;
    report();
  });
}

export function useShellMenu(files?: Partial<ShellFileHandlers>): void {
  useEffect(() => {
    const bridge = shellBridge();
    if (!bridge) return;
    const handlers = { ...hostFileHandlers(createElectronFileHost(bridge)), ...files };
    const run = menuActionRunner(handlers, bridge);
    // Actions that arrive while the designer is still starting (a file from the command line) wait for it:
    // otherwise the first sample, loaded once the engine answers, would replace the file the user opened.
    const waiting: MenuAction[] = [];
    const perform = (action: MenuAction) => void run(action).catch((err: unknown) => notify({ tone: 'error', title: 'The menu action failed', detail: err instanceof Error ? err.message : String(err) }));
    const stopWaiting = useDesigner.subscribe((s) => {
      if (s.status === 'ready') for (const a of waiting.splice(0)) perform(a);
    });
    const stopMenu = bridge.onMenu((action) => {
      if (useDesigner.getState().status === 'ready') perform(action);
      else waiting.push(action);
    });
    const stopReport = reportDocumentState(bridge);
    return () => {
      stopMenu();
      stopWaiting();
      stopReport();
    };
  }, [files]);
}
