// `sluice test`: the pipeline runs over its pinned fixtures and each pinned node is compared with what it gave when
// it was pinned. The run is a preview of each pinned node's whole upstream in the preview session's own scratch
// database: nothing is written to sinks, the run history or the pipeline's state, so a test can run anywhere,
// any number of times (a sink's expectation is the rows that would reach it).
import type { Cell } from '@sluice/format/api/contract';
import type { PinDiff, PinTestReport, PinTestResult } from '@sluice/format/api/pins-contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { isUserFacing } from '@sluice/format/api/errors';
import { UserError } from '../runtime/exec-context.js';
import { expectationOf, listPins, MAX_PINNED_ROWS, pinsFolderName, readExpectation, withFixtures, type Expectation, type PinPlace, type PreviewFn } from './pins.js';

/** Rows of each side a diff lists; the totals say how many more there were. */
const SHOWN = 10;

/** `a` minus `b`, as multisets of JSON texts. */
function minus(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

function setDiff(what: 'rows' | 'quarantine', expected: string[], actual: string[]): PinDiff | undefined {
  const missing = minus(expected, actual);
  const extra = minus(actual, expected);
  if (missing.length === 0 && extra.length === 0) return undefined;
  return { what, missing: missing.slice(0, SHOWN), extra: extra.slice(0, SHOWN), missingTotal: missing.length, extraTotal: extra.length };
}

/** Every difference between an expectation and what the node gives now. */
export function compareExpectation(want: Expectation, got: Expectation): PinDiff[] {
  const diffs: PinDiff[] = [];
  for (const k of new Set([...Object.keys(want.counts), ...Object.keys(got.counts)])) {
    const a = want.counts[k];
    const b = got.counts[k];
    if (a !== b) diffs.push({ what: 'count', subject: k, expected: String(a ?? '—'), actual: String(b ?? '—') });
  }
  for (const k of [...new Set([...Object.keys(want.quarantineByRule), ...Object.keys(got.quarantineByRule)])].sort()) {
    const a = want.quarantineByRule[k] ?? 0;
    const b = got.quarantineByRule[k] ?? 0;
    if (a !== b) diffs.push({ what: 'rule', subject: k, expected: String(a), actual: String(b) });
  }
  const cols = (e: Expectation): string => e.columns.map((c) => `${c.name} ${c.type}`).join(', ');
  if (cols(want) !== cols(got)) diffs.push({ what: 'columns', expected: cols(want), actual: cols(got) });
  const rows = setDiff('rows', want.rows.map((r: Cell[]) => JSON.stringify(r)), got.rows.map((r) => JSON.stringify(r)));
  if (rows) diffs.push(rows);
  if (want.quarantine && got.quarantine) {
    const q = setDiff('quarantine', want.quarantine.map((x) => JSON.stringify(x)), got.quarantine.map((x) => JSON.stringify(x)));
    if (q) diffs.push(q);
  }
  return diffs;
}

/** Runs every pinned node of the pipeline over the fixtures; a node that cannot run is a failed test, not a crash. */
export async function runPinTests(p: Pipeline, place: PinPlace, preview: PreviewFn): Promise<PinTestReport> {
  const pinned = listPins(place).pins.filter((x) => x.expected !== undefined);
  if (pinned.length === 0) {
    throw new UserError(`"${p.name}" has no pinned data in ${pinsFolderName(place.fileName)}/: pin a node with \`sluice pin FILE --node ID\` or the designer's "Pin this data"`);
  }
  const tests: PinTestResult[] = [];
  for (const { nodeId } of pinned) {
    const t0 = performance.now();
    let diffs: PinDiff[];
    try {
      if (!p.nodes.some((n) => n.id === nodeId)) throw new UserError(`the pipeline has no node "${nodeId}" any more; remove its pin`);
      const want = readExpectation(place, nodeId);
      const r = await preview(withFixtures(p, place, nodeId), nodeId, MAX_PINNED_ROWS, place.baseDir);
      diffs = compareExpectation(want, expectationOf(p, nodeId, r));
    } catch (e) {
      if (!isUserFacing(e)) throw e;
      diffs = [{ what: 'error', actual: e instanceof Error ? e.message : String(e) }];
    }
    tests.push({ nodeId, passed: diffs.length === 0, diffs, ms: Math.round(performance.now() - t0) });
  }
  return { pipelineName: p.name, passed: tests.every((t) => t.passed), tests };
}

/** The report as `sluice test` prints it: one line per test, and under a failed one what differs. */
export function reportLines(r: PinTestReport, labelOf: (nodeId: string) => string = (id) => id): string[] {
  const L: string[] = [];
  for (const t of r.tests) {
    L.push(`${t.passed ? 'PASS' : 'FAIL'} ${labelOf(t.nodeId)}  (${t.ms} ms)`);
    for (const d of t.diffs) {
      if (d.what === 'error') L.push(`  error: ${d.actual ?? ''}`);
      else if (d.what === 'count') L.push(`  count ${d.subject ?? ''}: expected ${d.expected ?? ''}, got ${d.actual ?? ''}`);
      else if (d.what === 'rule') L.push(`  quarantined by rule ${d.subject ?? ''}: expected ${d.expected ?? ''}, got ${d.actual ?? ''}`);
      else if (d.what === 'columns') L.push(`  columns: expected ${d.expected ?? ''}`, `           got      ${d.actual ?? ''}`);
      else {
        const noun = d.what === 'rows' ? 'rows' : 'quarantined rows';
        L.push(`  ${noun}: ${d.missingTotal ?? 0} expected but missing (-), ${d.extraTotal ?? 0} not expected (+)`);
        for (const m of d.missing ?? []) L.push(`    - ${m}`);
        if ((d.missingTotal ?? 0) > (d.missing?.length ?? 0)) L.push(`    - … ${(d.missingTotal ?? 0) - (d.missing?.length ?? 0)} more`);
        for (const m of d.extra ?? []) L.push(`    + ${m}`);
        if ((d.extraTotal ?? 0) > (d.extra?.length ?? 0)) L.push(`    + … ${(d.extraTotal ?? 0) - (d.extra?.length ?? 0)} more`);
      }
    }
  }
  const failed = r.tests.filter((t) => !t.passed).length;
  L.push(`${r.tests.length} test${r.tests.length === 1 ? '' : 's'}: ${r.tests.length - failed} passed, ${failed} failed`);
  return L;
}
