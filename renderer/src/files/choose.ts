// Which FileHost the designer uses, chosen once at startup: native dialogs in the desktop shell (its preload
// bridge is present), the workspace of `sluice serve` in a browser.
import type { EngineApi } from '@sluice/format/api/contract';
import { BrowserFileHost } from './browser-host';
import { createElectronFileHost } from './electron-host';
import { shellBridge } from '../api/ipc-client';
import { basename, dirname } from '../lib/format';
import type { FileHostBinding } from '../lib/file-host';

export function chooseFileHost(api: EngineApi): FileHostBinding {
  const bridge = shellBridge();
  if (bridge) {
    // The shell names files by absolute path; a pipeline's relative paths resolve in its own folder.
    const host = createElectronFileHost(bridge);
    return { host, baseDirOf: async (ref) => dirname(ref.path), refFor: async (abs) => ({ path: abs, name: basename(abs) }) };
  }
  const host = new BrowserFileHost(api);
  return { host, baseDirOf: (ref) => host.baseDirOf(ref), refFor: (abs) => host.refFor(abs) };
}
