// EngineApi over HTTP for browser mode. Electron will provide the same interface over IPC.
import type { Problem } from '@sluice/format/pipeline/problems';
import {
  engineErrorSchema,
  engineMethods,
  type EngineApi,
  type EngineMethod,
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

export function createHttpClient(baseUrl: string, token: string): EngineApi {
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

  return {
    catalog: (input) => call('catalog', input),
    validate: (input) => call('validate', input),
    schemas: (input) => call('schemas', input),
    preview: (input) => call('preview', input),
    run: (input) => call('run', input),
    startRun: (input) => call('startRun', input),
    runStatus: (input) => call('runStatus', input),
    cancelRun: (input) => call('cancelRun', input),
    listRuns: (input) => call('listRuns', input),
    quarantinePage: (input) => call('quarantinePage', input),
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
    runRecord: (input) => call('runRecord', input),
  };
}
