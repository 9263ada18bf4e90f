// Entry of the engine's own process (an Electron utilityProcess): DuckDB work never runs on the main process, so
// a long preview or run never freezes the window, and a native crash takes down only this process.
import { createEngineService } from '@sluice/engine/service';
import { answer, type HostRequest } from './engine-link.js';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!port) {
  process.stderr.write('engine-host: start this file with Electron utilityProcess.fork, not plain Node.\n');
  process.exit(2);
}

// The run supervisor starts each run as a child of this process's executable; in Electron that is the app
// binary, which acts as Node only with this variable (so the RunAsNode fuse stays on; see build/README.md).
process.env.ELECTRON_RUN_AS_NODE = '1';

// The samples folder is the first workspace; main adds the folder of each file the user opens (`allow`).
const service = createEngineService({ startedBy: 'desktop' });

port.on('message', (e) => {
  void answer(service, e.data as HostRequest, (pushed) => port.postMessage(pushed)).then((reply) => {
    if (reply) port.postMessage(reply);
  });
});

process.on('exit', () => service.close());
