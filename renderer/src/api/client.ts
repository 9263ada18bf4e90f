// EngineApi over HTTP for browser mode. Electron will provide the same interface over IPC.
import type { Problem } from '@sluice/format/pipeline/problems';
import {
  engineErrorSchema,
  engineMethods,
  runJobStatusSchema,
  type EngineApi,
  type EngineMethod,
  type EngineStreams,
  type MethodInput,
  type MethodOutput,
} from '@sluice/format/api/contract';

export type EngineErrorCode = 'unreachable' | 'unauthorized' | 'bad_response' | (string & {});

/** A failed engine call, with the engine's user-facing message; `status` is 0 when the engine was not reached. */
export class EngineError extends Error {
  override name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly status: number,
    /** Where the engine located the mistake (an invalid pipeline lists every problem with its path). */
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }
}

export function createHttpClient(baseUrl: string, token: string): EngineApi & EngineStreams {
  const base = baseUrl.replace(/\/+$/, '');

  async function call<M extends EngineMethod>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    let res: Response;
    try {
      res = await fetch(`${base}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(input),
        cache: 'no-store',
      });
    } catch {
      throw new EngineError('unreachable', `Can't reach the Sluice engine at ${base}.`, 0);
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok) {
      const parsed = engineErrorSchema.safeParse(body);
      const message = parsed.success ? parsed.data.error.message : `The engine answered ${res.status} ${res.statusText}.`;
      throw new EngineError(parsed.success ? parsed.data.error.code : 'http_error', message, res.status, parsed.success ? (parsed.data.error.problems ?? []) : []);
    }
    // Checked here too: a renderer built against another engine version should fail loudly, not render garbage.
    const out = engineMethods[method].output.safeParse(body);
    if (!out.success) {
      throw new EngineError('bad_response', `The engine's answer to ${method} does not match this designer's contract.`, res.status);
    }
    // TS cannot narrow the schema union by M; the table above ties each method to its output.
    return out.data as MethodOutput<M>;
  }

  /**
   * A started run's status as the engine pushes it (server-sent events over a POST, so the bearer token goes in
   * a header as on every call). Calls onError once if the stream cannot be opened or breaks off early.
   */
  function followRun(jobId: string, onStatus: Parameters<EngineStreams['followRun']>[1], onError?: (err: Error) => void): () => void {
    const abort = new AbortController();
    let done = false;
    const fail = (err: Error) => {
      if (!done && !abort.signal.aborted) onError?.(err);
      done = true;
    };
    void (async () => {
      const res = await fetch(`${base}/api/stream/runStatus`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, accept: 'text/event-stream' },
        body: JSON.stringify({ jobId }),
        cache: 'no-store',
        signal: abort.signal,
      });
      if (!res.ok || !res.body) {
        const body: unknown = await res.json().catch(() => undefined);
        const parsed = engineErrorSchema.safeParse(body);
        throw new EngineError(parsed.success ? parsed.data.error.code : 'http_error', parsed.success ? parsed.data.error.message : `The engine answered ${res.status}.`, res.status);
      }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        buffer += value;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = event
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (!data) continue;
          const status = runJobStatusSchema.safeParse(JSON.parse(data));
          if (!status.success) throw new EngineError('bad_response', "The engine's run status does not match this designer's contract.", 200);
          onStatus(status.data);
          if (status.data.state !== 'running') done = true;
        }
      }
      if (!done) throw new EngineError('unreachable', 'The run status stream ended before the run did.', 0);
    })().catch((err: unknown) => fail(err instanceof Error ? err : new Error(String(err))));
    return () => {
      done = true;
      abort.abort();
    };
  }

  return {
    followRun,
    catalog: (input) => call('catalog', input),
    validate: (input) => call('validate', input),
    schemas: (input) => call('schemas', input),
    schemasFor: (input) => call('schemasFor', input),
    sniffTypes: (input) => call('sniffTypes', input),
    preview: (input) => call('preview', input),
    inputFingerprints: (input) => call('inputFingerprints', input),
    run: (input) => call('run', input),
    startRun: (input) => call('startRun', input),
    runStatus: (input) => call('runStatus', input),
    cancelRun: (input) => call('cancelRun', input),
    listRuns: (input) => call('listRuns', input),
    quarantinePage: (input) => call('quarantinePage', input),
    traceRow: (input) => call('traceRow', input),
    samples: (input) => call('samples', input),
    watchStart: (input) => call('watchStart', input),
    watchStatus: (input) => call('watchStatus', input),
    watchStop: (input) => call('watchStop', input),
    listFiles: (input) => call('listFiles', input),
    readFile: (input) => call('readFile', input),
    writeFile: (input) => call('writeFile', input),
    runHistory: (input) => call('runHistory', input),
    runPipelines: (input) => call('runPipelines', input),
    runTrends: (input) => call('runTrends', input),
    profile: (input) => call('profile', input),
    workspaceStatus: (input) => call('workspaceStatus', input),
    runRecord: (input) => call('runRecord', input),
    pinData: (input) => call('pinData', input),
    listPins: (input) => call('listPins', input),
    removePin: (input) => call('removePin', input),
    testPins: (input) => call('testPins', input),
  };
}
