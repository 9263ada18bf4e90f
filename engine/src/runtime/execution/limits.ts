// Resource limits for every query the engine runs on a pipeline's behalf. A pipeline file and its data are
// untrusted: a recursive CTE never ends, `repeat('x', 2147483647)` asks for gigabytes, a self-join multiplies
// rows. DuckDB enforces the memory limit and the spill limit itself; the wall-clock limits interrupt the query.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { limitsInputSchema, type LimitsInput } from '@sluice/format/api/contract';

export interface ResourceLimits {
  /** DuckDB's memory_limit, e.g. "4GB". */
  memoryLimit: string;
  /** DuckDB's max_temp_directory_size: how much a run may spill to its temp folder, e.g. "20GB". */
  tempLimit: string;
  /**
   * The folder a run spills to (a fresh folder is made inside it per run, and removed after); unset: the run's own
   * work folder. A fast local disk with room matters more here than anywhere else.
   */
  tempDir?: string;
  /** Wall-clock limit of one node in a run, in seconds (0: none). */
  nodeTimeoutSeconds: number;
  /** Wall-clock limit of one preview, in seconds (0: none). */
  previewTimeoutSeconds: number;
}

export { limitsInputSchema, type LimitsInput };

export const LIMIT_ENV = {
  memoryLimit: 'SLUICE_MEMORY_LIMIT',
  tempLimit: 'SLUICE_TEMP_LIMIT',
  tempDir: 'SLUICE_TEMP_DIR',
  nodeTimeoutSeconds: 'SLUICE_NODE_TIMEOUT',
  previewTimeoutSeconds: 'SLUICE_PREVIEW_TIMEOUT',
} as const;

/** How a user raises each limit, for the messages of queries a limit stopped. */
export const LIMIT_HOW: Record<keyof ResourceLimits, string> = {
  memoryLimit: `--memory-limit SIZE, ${LIMIT_ENV.memoryLimit}=SIZE or "limits": {"memoryLimit"} in the run request`,
  tempLimit: `--temp-limit SIZE, ${LIMIT_ENV.tempLimit}=SIZE or "limits": {"tempLimit"} in the run request`,
  tempDir: `--temp-dir FOLDER, ${LIMIT_ENV.tempDir}=FOLDER or "limits": {"tempDir"} in the run request`,
  nodeTimeoutSeconds: `--node-timeout SECONDS, ${LIMIT_ENV.nodeTimeoutSeconds}=SECONDS or "limits": {"nodeTimeoutSeconds"} in the run request`,
  previewTimeoutSeconds: `${LIMIT_ENV.previewTimeoutSeconds}=SECONDS or "limits": {"previewTimeoutSeconds"} in the preview request`,
};

const GB = 1024 ** 3;
const MB = 1024 ** 2;

export function formatSize(bytes: number): string {
  return bytes >= GB ? `${Math.max(1, Math.floor(bytes / GB))}GB` : `${Math.max(1, Math.floor(bytes / MB))}MB`;
}

/**
 * Defaults sized to the machine: half of its memory (DuckDB's own default is 80 %, which leaves a designer and
 * its host little), at least 256 MB; spill up to half the free space of the folder runs spill into (at most
 * 100 GB, at least 1 GB); a node may take 30 minutes, a preview 60 seconds.
 */
export function machineDefaults(spillDir = os.tmpdir()): ResourceLimits {
  let free = 20 * GB;
  // The spill folder is often made only when the run starts (a first run's history): its disk is the one of the
  // nearest folder that exists. Asking the missing folder itself used to fall back to the fixed 20 GB, so a run
  // with 60 GB free could spill only 10 GB (issue 18: the 50 M-row run spills tens of GB).
  for (let dir = path.resolve(spillDir); ; dir = path.dirname(dir)) {
    try {
      const s = fs.statfsSync(dir);
      free = s.bavail * s.bsize;
      break;
    } catch (e) {
      // An unreadable folder: keep the fixed default.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(dir) === dir) break;
    }
  }
  return {
    memoryLimit: formatSize(Math.max(256 * MB, os.totalmem() * 0.5)),
    tempLimit: formatSize(Math.min(100 * GB, Math.max(GB, free * 0.5))),
    nodeTimeoutSeconds: 30 * 60,
    previewTimeoutSeconds: 60,
  };
}

/** Given settings first, then the environment, then the machine's defaults. A bad value is a user error. */
export function resolveLimits(given: LimitsInput, spillDir?: string, env: Readonly<Record<string, string | undefined>> = process.env): ResourceLimits {
  const fromEnv: Record<string, unknown> = {};
  for (const [k, name] of Object.entries(LIMIT_ENV)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    fromEnv[k] = k.endsWith('Seconds') ? Number(v) : v;
  }
  const parsedEnv = limitsInputSchema.safeParse(fromEnv);
  if (!parsedEnv.success) {
    const issue = parsedEnv.error.issues[0];
    const key = String(issue?.path[0] ?? '') as keyof typeof LIMIT_ENV;
    throw new LimitError(`${LIMIT_ENV[key] ?? 'a SLUICE_ limit variable'} must be ${key.endsWith('Seconds') ? 'a number of seconds' : key === 'tempDir' ? 'a folder' : 'a size such as 512MB or 4GB'}, got "${env[LIMIT_ENV[key]] ?? ''}"`);
  }
  const chosen = { ...stripUndefined(parsedEnv.data ?? {}), ...stripUndefined(given ?? {}) };
  // The spill limit's default is sized to the free space where the spilling happens.
  return { ...machineDefaults(chosen.tempDir ?? spillDir), ...chosen };
}

export class LimitError extends Error {}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The reason for a node a limit stopped, or undefined when the error is not a limit's. `timedOut` names the
 * wall-clock limit that interrupted the query, if one did.
 */
export function limitReason(e: unknown, limits: ResourceLimits | undefined, timedOut: 'node' | 'preview' | undefined): string | undefined {
  if (timedOut === 'node' && limits) return `stopped after its time limit of ${limits.nodeTimeoutSeconds} s (the per-node limit); raise it with ${LIMIT_HOW.nodeTimeoutSeconds}`;
  if (timedOut === 'preview' && limits) return `the preview stopped after its time limit of ${limits.previewTimeoutSeconds} s; raise it with ${LIMIT_HOW.previewTimeoutSeconds}`;
  const msg = e instanceof Error ? e.message : String(e);
  if (!limits || !/^Out of Memory Error/.test(msg)) return undefined;
  const first = (msg.split('\n')[0] ?? '').replace(/^Out of Memory Error: /, '');
  if (/temp|offload|max_temp_directory_size|disk/i.test(msg)) {
    return `the query needed more than the run's spill limit of ${limits.tempLimit} on disk (${first}); raise it with ${LIMIT_HOW.tempLimit}`;
  }
  return `the query needed more than the run's memory limit of ${limits.memoryLimit} (${first}); raise it with ${LIMIT_HOW.memoryLimit}`;
}
