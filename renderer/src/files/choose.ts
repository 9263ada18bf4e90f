// Which FileHost the designer uses, chosen once at startup. The browser host is the only one in this build;
// the Electron shell plugs its native-dialog host in here (one function, one place).
import type { EngineApi } from '../../../engine/src/api/contract';
import { BrowserFileHost } from './browser-host';
import type { FileHost, PipelineFileRef } from './host';

export interface FileHostBinding {
  host: FileHost;
  /** The folder a file's relative data paths resolve in, as the engine should be told (`baseDir`). */
  baseDirOf(ref: PipelineFileRef): Promise<string>;
  /** The host's reference for a file the engine named by absolute path (the pipeline `sluice serve` opened). */
  refFor(absolutePath: string): Promise<PipelineFileRef | undefined>;
}

export function chooseFileHost(api: EngineApi): FileHostBinding {
  const host = new BrowserFileHost(api);
  return { host, baseDirOf: (ref) => host.baseDirOf(ref), refFor: (abs) => host.refFor(abs) };
}
