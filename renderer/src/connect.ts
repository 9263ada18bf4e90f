// Startup: find the token, reach the engine, load the catalog and the first sample.
import type { EngineApi, Sample } from '@sluice/format/api/contract';
import { pipelineSchema } from '@sluice/format/pipeline/pipeline';
import { pathToString } from '@sluice/format/pipeline/problems';
import { createHttpClient, EngineError } from './api/client';
import { createIpcClient, shellBridge } from './api/ipc-client';
import { forgetToken, takeToken } from './api/token';
import { chooseFileHost } from './files/choose';
import { draftToOffer, useRecovery } from './files/recovery';
import { basename, dirname } from './lib/format';
import { useDesigner, type Banner } from './store';

function bannerFor(err: unknown, origin: string): Banner {
  if (err instanceof EngineError) {
    if (err.status === 401) {
      forgetToken();
      return {
        title: 'The engine refused this page’s access token',
        detail: 'The token changes every time `sluice serve` starts. Open the newest link it printed.',
        retryable: false,
      };
    }
    if (err.code === 'unreachable' && shellBridge()) {
      return { title: 'Can’t reach the Sluice engine', detail: `${err.message}. Restart Sluice.`, retryable: true };
    }
    if (err.code === 'unreachable') {
      return { title: 'Can’t reach the Sluice engine', detail: `Nothing answered at ${origin}. Is \`sluice serve\` still running?`, retryable: true };
    }
    return { title: 'The engine could not start the designer', detail: err.message, retryable: true };
  }
  return { title: 'The designer failed to start', detail: err instanceof Error ? err.message : String(err), retryable: true };
}

function openFirstSample(samples: readonly Sample[]): Banner | undefined {
  const store = useDesigner.getState();
  const first = samples[0];
  if (!first) {
    store.newPipeline();
    return undefined;
  }
  const parsed = pipelineSchema.safeParse(first.pipeline);
  if (!parsed.success) {
    store.newPipeline();
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${pathToString(i.path) || 'file'}: ${i.message}`);
    return { title: `“${first.name}” is not a valid pipeline`, detail: issues.join('; '), retryable: false };
  }
  // Relative paths in a sample resolve in its own folder, which is where the engine's preview and run look.
  store.loadPipeline(parsed.data, { fileName: basename(first.path), baseDir: dirname(first.path) });
  return undefined;
}

export async function connect(): Promise<void> {
  const store = useDesigner.getState();
  store.setStatus('connecting');
  // In the desktop app the engine is reached over IPC through the preload's bridge; no token, no server.
  const bridge = shellBridge();
  if (bridge) {
    await start(createIpcClient(bridge), 'the desktop app');
    return;
  }
  const token = takeToken();
  if (!token) {
    store.setStatus('failed', {
      title: 'This page has no access token',
      detail: 'Open the designer with the link `sluice serve` printed; it ends in #token=….',
      retryable: false,
    });
    return;
  }
  const origin = window.location.origin;
  await start(createHttpClient(origin, token), origin);
}

async function start(api: EngineApi, origin: string): Promise<void> {
  const store = useDesigner.getState();
  try {
    const catalog = await api.catalog({});
    store.setApi(api, chooseFileHost(api));
    store.setCatalog(catalog);
  } catch (err) {
    store.setStatus('failed', bannerFor(err, origin));
    return;
  }
  // Offered before the document is ready, so the draft keeper does not replace it with the start-up document.
  useRecovery.setState({ offer: draftToOffer() });
  // Without samples the designer still works: say why the canvas is empty and carry on.
  try {
    const samples = await api.samples({});
    store.setSamples(samples);
    store.setStatus('ready', openFirstSample(samples));
  } catch (err) {
    store.newPipeline();
    const detail = err instanceof Error ? err.message : String(err);
    store.setStatus('ready', { title: 'Could not load the sample pipelines; starting with an empty one', detail, retryable: false });
  }
}
