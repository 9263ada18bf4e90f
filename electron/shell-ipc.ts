// The shell's own IPC calls (files and dialogs), checked like the engine's: trusted sender, known channel,
// arguments validated before anything touches the disk. Pure, tested in Node with a FileAccess on a temp folder.
import type { z } from 'zod';
import { SHELL_CHANNELS, shellArgSchemas, type ShellReply } from './bridge.js';
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
