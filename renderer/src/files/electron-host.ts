// Pipeline files in the desktop app: native open/save dialogs and the recent list, all kept by the main process
// (which lets this window touch only files the user chose). Errors arrive as messages for the user.
import type { FileRef, ShellReply, SluiceBridge } from '@sluice/shell/bridge';
import type { FileHost, PipelineFileRef } from '../lib/file-host';

/** A file operation the shell refused or could not do; the message names the file and the reason. */
export class FileHostError extends Error {
  override name = 'FileHostError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function unwrap<T>(reply: Promise<ShellReply<T>>): Promise<T> {
  let r: ShellReply<T>;
  try {
    r = await reply;
  } catch (err) {
    throw new FileHostError('unreachable', `The desktop shell did not answer: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!r.ok) throw new FileHostError(r.error.code, r.error.message);
  return r.value;
}

const plain = (ref: PipelineFileRef): FileRef => ({ path: ref.path, name: ref.name });

export function createElectronFileHost(bridge: SluiceBridge): FileHost {
  return {
    kind: 'electron',
    open: () => unwrap(bridge.files.openDialog()),
    // Only plain fields cross the bridge: a ref the UI decorated with more would be refused by main's checks.
    read: (ref) => unwrap(bridge.files.read(plain(ref))),
    save: (ref, text) => unwrap(bridge.files.save(plain(ref), text)),
    saveAs: (suggestedName, text) => unwrap(bridge.files.saveAsDialog(suggestedName, text)),
    recent: () => unwrap(bridge.files.recent()),
  };
}
