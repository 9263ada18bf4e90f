// FileHost for the browser: pipeline files live in the workspace folder `sluice serve` was started with, reached
// through the engine's listFiles/readFile/writeFile; the pickers are small in-app dialogs.
import type { EngineApi } from '@sluice/format/api/contract';
import { EngineError } from '../api/client';
import { askForFile, askForSaveName } from './dialogs';
import type { FileHost, PipelineFileRef } from '../lib/file-host';

const RECENT_KEY = 'sluice.recent';
const RECENT_MAX = 8;

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function refOf(path: string): PipelineFileRef {
  return { path, name: nameOf(path) };
}

export class BrowserFileHost implements FileHost {
  readonly kind = 'browser' as const;
  private root: string | undefined;

  constructor(private readonly api: Pick<EngineApi, 'listFiles' | 'readFile' | 'writeFile'>) {}

  /** The workspace folder on the engine's machine (absolute), which relative paths in a pipeline resolve against. */
  async workspaceRoot(): Promise<string> {
    if (this.root === undefined) this.root = (await this.api.listFiles({})).root;
    return this.root;
  }

  /** The folder a workspace file's relative data paths resolve in. */
  async baseDirOf(ref: PipelineFileRef): Promise<string> {
    const root = await this.workspaceRoot();
    const folder = ref.path.includes('/') ? ref.path.slice(0, ref.path.lastIndexOf('/')) : '';
    return folder ? `${root}/${folder}` : root;
  }

  /** A file the engine named by absolute path, as a workspace reference; undefined when it is elsewhere. */
  async refFor(absolutePath: string): Promise<PipelineFileRef | undefined> {
    const root = await this.workspaceRoot();
    const normalized = absolutePath.replace(/\\/g, '/');
    const prefix = root.replace(/\\/g, '/').replace(/\/+$/, '') + '/';
    if (!normalized.startsWith(prefix)) return undefined;
    const rel = normalized.slice(prefix.length);
    // Hidden folders are not workspace files (the engine would refuse to write there).
    return rel.split('/').some((s) => s.startsWith('.') || s === '') ? undefined : refOf(rel);
  }

  async open(): Promise<{ ref: PipelineFileRef; text: string } | undefined> {
    const listing = await this.api.listFiles({});
    this.root = listing.root;
    const path = await askForFile(listing.root, listing.files);
    if (path === undefined) return undefined;
    const ref = refOf(path);
    return { ref, text: await this.read(ref) };
  }

  async read(ref: PipelineFileRef): Promise<string> {
    const file = await this.api.readFile({ path: ref.path });
    this.remember(refOf(file.path));
    return file.text;
  }

  async save(ref: PipelineFileRef, text: string): Promise<PipelineFileRef> {
    return this.write(ref.path, text, true);
  }

  async saveAs(suggestedName: string, text: string): Promise<PipelineFileRef | undefined> {
    const listing = await this.api.listFiles({});
    this.root = listing.root;
    let saved: PipelineFileRef | undefined;
    // The dialog stays open until a name works: a taken name asks before replacing, a refused one says why.
    const done = await askForSaveName(listing.root, suggestedName, listing.files, async (path, overwrite) => {
      try {
        saved = await this.write(path, text, overwrite);
        return undefined;
      } catch (err) {
        if (err instanceof EngineError && err.code === 'file_exists') return { error: `${nameOf(path)} already exists. Replace it?`, exists: true };
        return { error: err instanceof Error ? err.message : String(err) };
      }
    });
    return done ? saved : undefined;
  }

  private async write(path: string, text: string, overwrite: boolean): Promise<PipelineFileRef> {
    const written = await this.api.writeFile({ path, text, overwrite });
    const ref = refOf(written.path);
    this.remember(ref);
    return ref;
  }

  async recent(): Promise<PipelineFileRef[]> {
    return readRecent();
  }

  private remember(ref: PipelineFileRef): void {
    const list = [ref, ...readRecent().filter((r) => r.path !== ref.path)].slice(0, RECENT_MAX);
    try {
      localStorage.setItem(RECENT_KEY, JSON.stringify(list));
    } catch {
      // A full or disabled storage only costs the recent list.
    }
  }
}

function readRecent(): PipelineFileRef[] {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]');
    if (!Array.isArray(raw)) return [];
    return raw.filter((r): r is PipelineFileRef => typeof r === 'object' && r !== null && typeof (r as PipelineFileRef).path === 'string' && typeof (r as PipelineFileRef).name === 'string');
  } catch {
    return [];
  }
}
