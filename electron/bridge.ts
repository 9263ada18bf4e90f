// What the window and the main process agree on: every IPC channel, the checked arguments of each, and the
// shape of the API the preload exposes as `window.sluice`. Pure (zod and the engine's contract only), so the
// renderer imports its types too. The engine's channels come from the contract's method table: a method added
// to `engineMethods` is reachable over IPC without touching the shell.
import { z } from 'zod';
import { channelFor, type IpcReply } from '@sluice/format/api/ipc';
import { engineMethods, type EngineErrorBody, type EngineMethod } from '@sluice/format/api/contract';

export const ENGINE_METHODS: readonly EngineMethod[] = Object.keys(engineMethods) as EngineMethod[];
export const ENGINE_CHANNELS: readonly string[] = ENGINE_METHODS.map(channelFor);

/** Renderer to main: push this started run's status (one string, the job id). */
export const RUN_FOLLOW_CHANNEL = 'sluice-engine:follow-run';
/** Main to renderer: a followed run's status (job id, RunJobStatus), the engine's one push path in the desktop app. */
export const RUN_STATUS_CHANNEL = 'sluice-engine:run-status';

/** Main to renderer: a menu item was chosen (or the OS asked to open a file). */
export const MENU_CHANNEL = 'sluice-shell:menu';

/** Renderer to main: file access through native dialogs, and the window's document state. */
export const SHELL_CHANNELS = {
  openDialog: 'sluice-shell:open-dialog',
  read: 'sluice-shell:read',
  save: 'sluice-shell:save',
  saveAsDialog: 'sluice-shell:save-as-dialog',
  recent: 'sluice-shell:recent',
  setDocumentState: 'sluice-shell:set-document-state',
  closeConfirmed: 'sluice-shell:close-confirmed',
  menuReady: 'sluice-shell:menu-ready',
  nativeEdit: 'sluice-shell:native-edit',
} as const;

/** Editing commands the shell performs natively on the focused text field (the page may not touch the clipboard). */
export const nativeEditSchema = z.enum(['undo', 'redo', 'copy', 'paste']);
export type NativeEdit = z.infer<typeof nativeEditSchema>;

/** Menu actions the renderer carries out; zoom, developer tools, docs and about are handled by the shell itself. */
export const menuActionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.enum(['new', 'open', 'save', 'save-as', 'export-json', 'run', 'undo', 'redo', 'copy', 'paste', 'toggle-theme', 'save-and-close']),
  }),
  /** A file from the recent list, the command line or the OS (double-click, drop on the dock icon). */
  z.object({ type: z.literal('open-file'), path: z.string().min(1) }),
]);
export type MenuAction = z.infer<typeof menuActionSchema>;

export const fileRefSchema = z.object({ path: z.string().min(1).max(4096), name: z.string().max(1024) });
/** A pipeline file is text; anything larger than this is a mistake rather than a pipeline. */
export const MAX_PIPELINE_BYTES = 16 * 1024 * 1024;

/** The arguments each shell channel accepts; main refuses anything else before acting. */
export const shellArgSchemas = {
  [SHELL_CHANNELS.openDialog]: z.tuple([]),
  [SHELL_CHANNELS.read]: z.tuple([fileRefSchema]),
  [SHELL_CHANNELS.save]: z.tuple([fileRefSchema, z.string().max(MAX_PIPELINE_BYTES)]),
  [SHELL_CHANNELS.saveAsDialog]: z.tuple([z.string().max(255), z.string().max(MAX_PIPELINE_BYTES)]),
  [SHELL_CHANNELS.recent]: z.tuple([]),
  [SHELL_CHANNELS.setDocumentState]: z.tuple([z.object({ dirty: z.boolean(), title: z.string().max(300) })]),
  [SHELL_CHANNELS.closeConfirmed]: z.tuple([]),
  [SHELL_CHANNELS.menuReady]: z.tuple([]),
  [SHELL_CHANNELS.nativeEdit]: z.tuple([nativeEditSchema]),
  [RUN_FOLLOW_CHANNEL]: z.tuple([z.string().regex(/^[A-Za-z0-9-]{1,100}$/)]),
} as const;

export type FileRef = z.infer<typeof fileRefSchema>;

/** Shell calls answer like engine calls: a value, or a message for the user (never a stack). */
export type ShellReply<T> = { ok: true; value: T } | ({ ok: false } & EngineErrorBody);

/** `window.sluice`, exposed by the preload through contextBridge. */
export interface SluiceBridge {
  readonly engine: {
    /** The contract's method names, as the shell knows them. */
    readonly methods: readonly string[];
    invoke(method: string, input: unknown): Promise<IpcReply>;
    /** A started run's status as the engine pushes it (unchecked here; the client checks it against the contract). */
    followRun?(jobId: string, listener: (status: unknown) => void): () => void;
  };
  readonly files: {
    openDialog(): Promise<ShellReply<{ ref: FileRef; text: string } | undefined>>;
    read(ref: FileRef): Promise<ShellReply<string>>;
    save(ref: FileRef, text: string): Promise<ShellReply<FileRef>>;
    saveAsDialog(suggestedName: string, text: string): Promise<ShellReply<FileRef | undefined>>;
    recent(): Promise<ShellReply<FileRef[]>>;
  };
  /** Menu choices and files the OS asks to open; returns a function that stops listening. */
  onMenu(listener: (action: MenuAction) => void): () => void;
  /** Tells the shell whether there are unsaved changes (asked about on close) and what the title says. */
  setDocumentState(state: { dirty: boolean; title: string }): void;
  /** After a save-and-close: the changes are saved, close the window now. */
  confirmClose(): void;
  /** Undo, redo, copy or paste in the focused text field, done by the shell as the keyboard would. */
  nativeEdit(command: NativeEdit): void;
}
