// Opening and saving pipeline documents: samples from the engine, files the user picks or drops, and
// export as the canonical JSON the CLI reads (the same bytes `serializePipeline` gives, so diffs stay clean).
import type { Sample } from '../../../engine/src/api/contract';
import { parsePipelineText } from '../../../engine/src/format/load';
import { pipelineSchema } from '../../../engine/src/format/pipeline';
import { formatProblem, pathToString } from '../../../engine/src/format/problems';
import { serializePipeline } from '../../../engine/src/format/save';
import { basename, dirname, pipelineFileName } from '../lib/format';
import { useDesigner } from '../store';
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

/** Unsaved edits are worth one question before they are replaced. */
function mayDiscard(): boolean {
  const s = useDesigner.getState();
  const dirty = serializePipeline(s.toPipeline()) !== s.savedText;
  return !dirty || window.confirm(`Discard the unsaved changes to “${s.meta.name}”?`);
}

export function openSample(sample: Sample): void {
  if (!mayDiscard()) return;
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
export async function importPipelineText(text: string, fileName: string): Promise<void> {
  const s = useDesigner.getState();
  const parsed = parsePipelineText(text);
  const shape = parsed.raw === undefined ? undefined : pipelineSchema.safeParse(parsed.raw);
  if (!shape?.success) {
    const problems = parsed.problems.length > 0 ? parsed.problems : [{ path: '', message: 'not a Sluice pipeline' }];
    notify({ tone: 'error', title: `Could not open ${fileName}`, detail: problems.slice(0, 3).map((p) => formatProblem(p)).join('; ') });
    return;
  }
  if (!mayDiscard()) return;
  resetRun();
  s.loadPipeline(shape.data, { fileName, baseDir: s.origin.baseDir });
  if (!s.api) return;
  try {
    const verdict = await s.api.validate({ pipeline: parsed.raw });
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
