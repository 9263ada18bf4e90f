// The shell's own IPC calls (files and dialogs), checked like the engine's: trusted sender, known channel,
// arguments validated before anything touches the disk. Pure, tested in Node with a FileAccess on a temp folder.
import type { z } from 'zod';
import { RUN_FOLLOW_CHANNEL, RUN_STATUS_CHANNEL, SHELL_CHANNELS, shellArgSchemas, type NativeEdit, type ShellReply } from './bridge.js';
import type { FileAccess } from './file-access.js';
import { isUserFacing, toErrorBody } from '@sluice/format/api/errors';

type InvokeChannel = Exclude<(typeof SHELL_CHANNELS)[keyof typeof SHELL_CHANNELS], typeof SHELL_CHANNELS.setDocumentState | typeof SHELL_CHANNELS.closeConfirmed | typeof SHELL_CHANNELS.menuReady | typeof SHELL_CHANNELS.nativeEdit>;

export const SHELL_INVOKE_CHANNELS: readonly InvokeChannel[] = [
  SHELL_CHANNELS.openDialog,
  SHELL_CHANNELS.read,
  SHELL_CHANNELS.save,
  SHELL_CHANNELS.saveAsDialog,
  SHELL_CHANNELS.recent,
];

export interface ShellIpcOptions {
  isTrustedSender(url: string): boolean;
  logInternal?(err: unknown): void;
}

function fail(code: string, message: string): ShellReply<never> {
  return { ok: false, error: { code, message } };
}

/** Parses a `send` message's arguments; undefined when they are not what the channel takes. */
export function checkedArgs<C extends keyof typeof shellArgSchemas>(channel: C, args: unknown[]): z.infer<(typeof shellArgSchemas)[C]> | undefined {
  const r = shellArgSchemas[channel].safeParse(args);
  return r.success ? (r.data as z.infer<(typeof shellArgSchemas)[C]>) : undefined;
}

export function createShellDispatcher(files: FileAccess, opts: ShellIpcOptions) {
  return async (channel: string, senderUrl: string, args: unknown[]): Promise<ShellReply<unknown>> => {
    if (!opts.isTrustedSender(senderUrl)) return fail('forbidden', 'this window may not use the app’s files');
    if (!(SHELL_INVOKE_CHANNELS as readonly string[]).includes(channel)) return fail('not_found', `unknown shell channel "${channel}"`);
    const parsed = shellArgSchemas[channel as InvokeChannel].safeParse(args);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first && first.path.length ? `argument ${first.path.join('.')}: ` : '';
      return fail('bad_request', `invalid arguments for ${channel}: ${where}${first?.message ?? 'invalid'}`);
    }
    const a = parsed.data;
    try {
      switch (channel as InvokeChannel) {
        case SHELL_CHANNELS.openDialog:
          return { ok: true, value: await files.openDialog() };
        case SHELL_CHANNELS.read: {
          const [ref] = a as [{ path: string; name: string }];
          return { ok: true, value: await files.read(ref) };
        }
        case SHELL_CHANNELS.save: {
          const [ref, text] = a as [{ path: string; name: string }, string];
          return { ok: true, value: await files.save(ref, text) };
        }
        case SHELL_CHANNELS.saveAsDialog: {
          const [name, text] = a as [string, string];
          return { ok: true, value: await files.saveAsDialog(name, text) };
        }
        case SHELL_CHANNELS.recent:
          return { ok: true, value: await files.recent() };
      }
    } catch (err) {
      if (!isUserFacing(err)) opts.logInternal?.(err);
      return { ok: false, ...toErrorBody(err, 'the file operation') };
    }
    return fail('not_found', `unknown shell channel "${channel}"`);
  };
}

/** What registerIpc needs of an IPC event (structural: Electron's events fit, tests pass stand-ins). */
export interface IpcEventLike {
  /** Null once the frame navigated away or was destroyed; such a sender is not trusted. */
  senderFrame: { url: string } | null;
  sender: Record<NativeEdit, () => void> & { send(channel: string, ...args: unknown[]): void; isDestroyed(): boolean };
}

/** What registerIpc needs of Electron's `ipcMain`. */
export interface IpcMainLike {
  handle(channel: string, listener: (e: IpcEventLike, ...args: unknown[]) => unknown): void;
  on(channel: string, listener: (e: IpcEventLike, ...args: unknown[]) => void): unknown;
}

/** What the main process does with the messages that passed the checks. */
export interface MainIpcHandlers {
  isTrustedSender(url: string): boolean;
  /** The engine's dispatcher (createIpcDispatcher): it checks the sender and the payload itself. */
  engine(channel: string, senderUrl: string, payload: unknown): Promise<unknown>;
  /** The shell's dispatcher (createShellDispatcher): it checks the sender and the arguments itself. */
  shellCalls(channel: string, senderUrl: string, args: unknown[]): Promise<unknown>;
  afterShellCall(): void;
  /** Follows a started run (EngineStreams.followRun); returns how to stop following. */
  followRun(jobId: string, onStatus: (status: unknown) => void): () => void;
  setDocumentState(state: { dirty: boolean; title: string }): void;
  closeConfirmed(): void;
  menuReady(): void;
}

export function senderUrl(e: IpcEventLike): string {
  return e.senderFrame?.url ?? '';
}

/**
 * Every channel the main process listens to: engine and shell calls go to their dispatchers with the sender's URL;
 * the one-way messages act only for a trusted sender and arguments their schema accepts.
 */
export function registerIpc(ipc: IpcMainLike, engineChannels: readonly string[], h: MainIpcHandlers): void {
  for (const channel of engineChannels) ipc.handle(channel, (e, payload) => h.engine(channel, senderUrl(e), payload));
  // The engine's one push path here: a followed run's statuses go to the window that asked, until the run ends.
  ipc.on(RUN_FOLLOW_CHANNEL, (e, ...args) => {
    const parsed = h.isTrustedSender(senderUrl(e)) ? checkedArgs(RUN_FOLLOW_CHANNEL, args) : undefined;
    if (!parsed) return;
    const [jobId] = parsed;
    const target = e.sender;
    const stop = h.followRun(jobId, (status) => {
      if (target.isDestroyed()) stop();
      else target.send(RUN_STATUS_CHANNEL, jobId, status);
    });
  });
  for (const channel of SHELL_INVOKE_CHANNELS) {
    ipc.handle(channel, async (e, ...args) => {
      const reply = await h.shellCalls(channel, senderUrl(e), args);
      h.afterShellCall();
      return reply;
    });
  }
  ipc.on(SHELL_CHANNELS.setDocumentState, (e, ...args) => {
    const parsed = h.isTrustedSender(senderUrl(e)) ? checkedArgs(SHELL_CHANNELS.setDocumentState, args) : undefined;
    if (parsed) h.setDocumentState(parsed[0]);
  });
  ipc.on(SHELL_CHANNELS.closeConfirmed, (e, ...args) => {
    if (h.isTrustedSender(senderUrl(e)) && checkedArgs(SHELL_CHANNELS.closeConfirmed, args)) h.closeConfirmed();
  });
  ipc.on(SHELL_CHANNELS.nativeEdit, (e, ...args) => {
    const parsed = h.isTrustedSender(senderUrl(e)) ? checkedArgs(SHELL_CHANNELS.nativeEdit, args) : undefined;
    if (parsed) e.sender[parsed[0]]();
  });
  // The preload announces its menu listener; whatever arrived before (a file from the command line) goes then.
  ipc.on(SHELL_CHANNELS.menuReady, (e, ...args) => {
    if (h.isTrustedSender(senderUrl(e)) && checkedArgs(SHELL_CHANNELS.menuReady, args)) h.menuReady();
  });
}
