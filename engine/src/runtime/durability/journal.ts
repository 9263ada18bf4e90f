// A run's journal: an append-only, fsynced log of what the run has made durable (node checkpoints, sink commits).
// It is what `--resume` trusts, so each entry is written only after the thing it describes is on disk, and a
// torn last line (the process died mid-append) is ignored rather than believed.
import * as fs from 'node:fs';
import * as z from 'zod';
import { columnSchema, nodeMetricsSchema } from '@sluice/format/api/contract';
import { ERROR_CODES, UserError } from '@sluice/format/api/errors';

const fileRef = z.object({ file: z.string(), sha256: z.string(), rows: z.number() });

export const journalEntrySchema = z.discriminatedUnion('t', [
  /** A run (or a resume of it) started with this pipeline and these parameters. */
  z.object({ t: z.literal('start'), at: z.string(), pipelineHash: z.string(), params: z.record(z.string(), z.string()), resume: z.boolean() }),
  /**
   * A node finished and everything it produced is durable: table outputs as checkpoint files with their column
   * types, its quarantine file. `null`: not checkpointed (a view, recomputed on resume); `unread`: no node reads
   * that output, so nothing needs keeping.
   */
  z.object({
    t: z.literal('node'),
    nodeId: z.string(),
    fingerprint: z.string(),
    metrics: nodeMetricsSchema,
    outputs: z.record(z.string(), z.union([fileRef.extend({ columns: z.array(columnSchema) }), z.literal('unread')]).nullable()),
    quarantine: fileRef.nullable(),
  }),
  /** A sink's staged output is complete and about to be published over its target. */
  z.object({ t: z.literal('prepared'), nodeId: z.string(), fingerprint: z.string(), target: z.string(), staged: z.string(), sha256: z.string(), rows: z.number() }),
  /** The staged output was published: the target now holds it. */
  z.object({ t: z.literal('committed'), nodeId: z.string(), fingerprint: z.string(), target: z.string(), sha256: z.string(), rows: z.number() }),
]);
export type JournalEntry = z.infer<typeof journalEntrySchema>;
export type NodeEntry = Extract<JournalEntry, { t: 'node' }>;
export type PreparedEntry = Extract<JournalEntry, { t: 'prepared' }>;

export class Journal {
  private constructor(
    readonly file: string,
    private fd: number,
  ) {}

  static open(file: string): Journal {
    return new Journal(file, fs.openSync(file, 'a'));
  }

  /** Entries written since the last fsync (see `append`). */
  private unsynced = false;

  /**
   * Appends an entry, and makes it durable (fsync) when a resume would trust it for something on disk: a
   * checkpoint or quarantine file, a sink's publish, a run's start. An entry for a node that kept nothing only
   * says it finished; a resume that does not see it reruns the node, which is what it would do anyway without
   * its outputs. Such entries are written without their own fsync (one per node was most of a long chain's
   * time); they survive a crash of the process (the write is in the kernel), and the next fsync of this file
   * makes them durable with everything before it.
   */
  append(entry: JournalEntry): void {
    fs.writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    if (keptNothing(entry)) {
      this.unsynced = true;
      return;
    }
    fs.fsyncSync(this.fd);
    this.unsynced = false;
  }

  close(): void {
    if (this.fd >= 0) {
      if (this.unsynced) fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
    }
    this.fd = -1;
  }
}

/** A node entry that names no file: every output a view, unread or not checkpointed, and no quarantine. */
function keptNothing(e: JournalEntry): boolean {
  if (e.t !== 'node' || e.quarantine !== null) return false;
  const outputs = Object.values(e.outputs);
  // A node without outputs (a sink) is finished by its publish; its entry is kept as durable as that.
  return outputs.length > 0 && outputs.every((o) => o === null || o === 'unread');
}

/**
 * Entries of a journal, oldest first. A last line without its newline is a write the crash interrupted and is
 * dropped (and cut off the file, so the next append starts on a fresh line); any other unreadable line means the
 * journal was damaged, and resuming from it would be guessing.
 */
export function readJournal(file: string): JournalEntry[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8');
  const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  if (complete.length !== text.length) fs.truncateSync(file, Buffer.byteLength(complete));
  const out: JournalEntry[] = [];
  complete
    .split('\n')
    .filter((l) => l.length > 0)
    .forEach((line, i) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new JournalDamaged(file, i + 1);
      }
      const parsed = journalEntrySchema.safeParse(value);
      if (!parsed.success) throw new JournalDamaged(file, i + 1);
      out.push(parsed.data);
    });
  return out;
}

export class JournalDamaged extends UserError {
  constructor(file: string, line: number) {
    super(`the run journal ${file} is damaged at line ${line}; this run cannot be resumed safely, start a new run`, { file, line }, { code: ERROR_CODES.journalDamaged });
  }
}

/** What a journal says is durable, by node: the latest node entry, and the sink publish state. */
export interface JournalState {
  nodes: Map<string, NodeEntry>;
  prepared: Map<string, PreparedEntry>;
  committed: Map<string, Extract<JournalEntry, { t: 'committed' }>>;
  starts: Extract<JournalEntry, { t: 'start' }>[];
}

export function journalState(entries: JournalEntry[]): JournalState {
  const s: JournalState = { nodes: new Map(), prepared: new Map(), committed: new Map(), starts: [] };
  for (const e of entries) {
    if (e.t === 'node') s.nodes.set(e.nodeId, e);
    else if (e.t === 'prepared') s.prepared.set(e.nodeId, e);
    else if (e.t === 'committed') s.committed.set(e.nodeId, e);
    else s.starts.push(e);
  }
  return s;
}
