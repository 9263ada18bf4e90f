// Opening and saving pipeline documents: samples from the engine, files the user picks or drops, and
// export as the canonical JSON the CLI reads (the same bytes `serializePipeline` gives, so diffs stay clean).
import type { Sample } from '@sluice/format/api/contract';
import { parsePipelineText } from '@sluice/format/pipeline/load';
import { pipelineSchema } from '@sluice/format/pipeline/pipeline';
import { formatProblem, pathToString } from '@sluice/format/pipeline/problems';
import { serializePipeline } from '@sluice/format/pipeline/save';
import { EngineError } from '../api/client';
import type { PipelineFileRef } from '../lib/file-host';
import { basename, dirname, pipelineFileName } from '../lib/format';
import { askUnsaved } from './questions';
import { isDirty, useDesigner, type DocumentOrigin } from '../store';
import { resetRun } from './run';
import { notify } from './toasts';

/** Starts a download of `text` as a file; the object URL is revoked once the click has been handled. */
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * Unsaved edits are worth one question before they are replaced: Save (then go on if it was saved), Discard,
 * or Cancel. Asked in the app, not with confirm(), which offers no Save. Without a file host, Save downloads
 * the pipeline.
 */
export async function mayDiscard(): Promise<boolean> {
  const s = useDesigner.getState();
  if (!isDirty(s)) return true;
  const answer = await askUnsaved(s.meta.name);
  if (answer === 'discard') return true;
  if (answer === 'cancel') return false;
  if (!s.files) {
    exportPipeline();
    return true;
  }
  return saveDocument();
}

export async function openSample(sample: Sample): Promise<void> {
  if (!(await mayDiscard())) return;
  const parsed = pipelineSchema.safeParse(sample.pipeline);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${pathToString(i.path) || 'file'}: ${i.message}`);
    notify({ tone: 'error', title: `“${sample.name}” is not a valid pipeline`, detail: issues.join('; ') });
    return;
  }
  resetRun();
  useDesigner.getState().loadPipeline(parsed.data, { fileName: basename(sample.path), baseDir: dirname(sample.path) });
}

export function exportPipeline(): void {
  const s = useDesigner.getState();
  const text = serializePipeline(s.toPipeline());
  const fileName = pipelineFileName(s.meta.name, s.origin.fileName);
  downloadText(fileName, text, 'application/json');
  s.markSaved(fileName);
  notify({ tone: 'success', title: `Exported ${fileName}`, detail: 'Run it headlessly with `sluice run`.' });
}

/**
 * Loads a pipeline from file text. A file that is not a pipeline at all (bad JSON, wrong shape, a newer
 * format) is refused with its problems; one that is a pipeline with mistakes opens, with the mistakes shown
 * where they are. Relative paths keep resolving in the current document's folder: a browser does not say
 * where a picked file lives.
 */
export async function importPipelineText(text: string, fileName: string, origin?: DocumentOrigin, opts: { asked?: boolean } = {}): Promise<void> {
  const s = useDesigner.getState();
  const parsed = parsePipelineText(text);
  const shape = parsed.raw === undefined ? undefined : pipelineSchema.safeParse(parsed.raw);
  if (!shape?.success) {
    const problems = parsed.problems.length > 0 ? parsed.problems : [{ path: '', message: 'not a Sluice pipeline' }];
    notify({ tone: 'error', title: `Could not open ${fileName}`, detail: problems.slice(0, 3).map((p) => formatProblem(p)).join('; ') });
    return;
  }
  if (!opts.asked && !(await mayDiscard())) return;
  resetRun();
  s.loadPipeline(shape.data, origin ?? { fileName, baseDir: s.origin.baseDir });
  if (!s.api) return;
  try {
    const baseDir = useDesigner.getState().origin.baseDir;
    const verdict = await s.api.validate({ pipeline: parsed.raw, ...(baseDir ? { baseDir } : {}) });
    if (verdict.ok) notify({ tone: 'success', title: `Opened ${fileName}` });
    else notify({ tone: 'error', title: `Opened ${fileName} with ${verdict.problems.length} problem${verdict.problems.length === 1 ? '' : 's'}`, detail: 'They are marked on the nodes and fields concerned.' });
  } catch (err) {
    notify({ tone: 'error', title: `Opened ${fileName}, but the engine could not check it`, detail: err instanceof Error ? err.message : String(err) });
  }
}

export async function importPipelineFile(file: File): Promise<void> {
  if (file.size > 20 * 1024 * 1024) {
    notify({ tone: 'error', title: `${file.name} is too large to be a pipeline file`, detail: 'Pipeline files are small JSON documents; data files are read by source nodes.' });
    return;
  }
  await importPipelineText(await file.text(), file.name);
}

function describe(err: unknown): string {
  return err instanceof EngineError || err instanceof Error ? err.message : String(err);
}

export async function newDocument(): Promise<void> {
  if (!(await mayDiscard())) return;
  resetRun();
  useDesigner.getState().newPipeline();
}

/** Opens a pipeline file the user picks through the FileHost (the workspace dialog in a browser). */
export async function openDocument(): Promise<void> {
  const files = useDesigner.getState().files;
  if (!files) return;
  // Asked before the picker, so a cancelled question leaves no dialog behind.
  if (!(await mayDiscard())) return;
  let picked: Awaited<ReturnType<typeof files.host.open>>;
  try {
    picked = await files.host.open();
  } catch (err) {
    notify({ tone: 'error', title: 'Could not open a pipeline file', detail: describe(err) });
    return;
  }
  if (!picked) return;
  await openPicked(picked.ref, picked.text);
}

/** Opens a known file (from the recent list). */
export async function openKnownFile(ref: PipelineFileRef): Promise<void> {
  const files = useDesigner.getState().files;
  if (!files || !(await mayDiscard())) return;
  try {
    await openPicked(ref, await files.host.read(ref));
  } catch (err) {
    notify({ tone: 'error', title: `Could not open ${ref.name}`, detail: describe(err) });
  }
}

async function openPicked(ref: PipelineFileRef, text: string): Promise<void> {
  const files = useDesigner.getState().files;
  if (!files) return;
  const baseDir = await files.baseDirOf(ref);
  // Already asked about unsaved changes before the picker; no second question.
  await importPipelineText(text, ref.name, { file: ref, fileName: ref.name, baseDir }, { asked: true });
}

/** Saves to the document's file, or asks where when it has none yet. Answers whether it was saved. */
export async function saveDocument(): Promise<boolean> {
  const s = useDesigner.getState();
  if (!s.files) return false;
  if (!s.origin.file) return saveDocumentAs();
  const text = serializePipeline(s.toPipeline());
  try {
    const ref = await s.files.host.save(s.origin.file, text);
    useDesigner.getState().markSavedAs({ ...useDesigner.getState().origin, file: ref, fileName: ref.name });
    notify({ tone: 'success', title: `Saved ${ref.name}` });
    return true;
  } catch (err) {
    notify({ tone: 'error', title: `Could not save ${s.origin.file.name}`, detail: describe(err) });
    return false;
  }
}

export async function saveDocumentAs(): Promise<boolean> {
  const s = useDesigner.getState();
  if (!s.files) return false;
  const text = serializePipeline(s.toPipeline());
  // A sample or the file `sluice serve` opened may sit inside the workspace: suggest its own name there.
  const fromEngine = s.origin.baseDir && s.origin.fileName ? await s.files.refFor(`${s.origin.baseDir}/${s.origin.fileName}`).catch(() => undefined) : undefined;
  const suggested = s.origin.file?.path ?? fromEngine?.path ?? pipelineFileName(s.meta.name, s.origin.fileName);
  let ref: PipelineFileRef | undefined;
  try {
    ref = await s.files.host.saveAs(suggested, text);
  } catch (err) {
    notify({ tone: 'error', title: 'Could not save the pipeline', detail: describe(err) });
    return false;
  }
  if (!ref) return false;
  const baseDir = await s.files.baseDirOf(ref).catch(() => s.origin.baseDir);
  const before = useDesigner.getState().origin.baseDir;
  useDesigner.getState().markSavedAs({ file: ref, fileName: ref.name, baseDir });
  // Relative data paths follow the file: saying so beats a preview that suddenly cannot find its data.
  const moved = before !== undefined && baseDir !== undefined && before !== baseDir;
  notify({ tone: 'success', title: `Saved ${ref.name}`, ...(moved ? { detail: `Relative paths in it now resolve in ${baseDir}.` } : {}) });
  return true;
}
