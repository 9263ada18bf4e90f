// `sluice pin FILE --node ID` and `sluice test FILE`: pipeline tests from pinned data (engine/src/ops/pins.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { MAX_FIXTURE_LINES } from '@sluice/format/api/pins-contract';
import { parsePipelineText } from '@sluice/format/pipeline/load';
import { UserError } from '../runtime/exec-context.js';
import { InvalidPipeline, preparePipeline } from '../runtime/run.js';
import { PreviewSession } from '../runtime/preview.js';
import { listPins, pinNode, removePin, type PinPlace } from '../ops/pins.js';
import { reportLines, runPinTests } from '../ops/pin-test.js';
import { collectParam } from './flags.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './ops-commands.js';

function readFileArg(file: string): { raw: unknown; place: PinPlace } {
  const full = path.resolve(file);
  if (!fs.existsSync(full)) throw new UserError(`no such file: ${file}`);
  const parsed = parsePipelineText(fs.readFileSync(full, 'utf8'));
  if (parsed.raw === undefined) throw new InvalidPipeline(parsed.problems);
  return { raw: parsed.raw, place: { baseDir: path.dirname(full), fileName: path.basename(full) } };
}

/** Runs `f` with a preview session of its own (a scratch database in a temporary folder), closed afterwards. */
async function withPreviews<T>(f: (s: PreviewSession) => Promise<T>): Promise<T> {
  const s = new PreviewSession();
  try {
    return await f(s);
  } finally {
    s.close();
  }
}

export function addTestCommands(program: Command, io: CliIo): void {
  program
    .command('pin <file>')
    .description(`pin a node's data as a test: fixtures of the first lines of the sources above it, and what the node gives over them (kept in FILE minus .json + ".tests/")`)
    .option('-n, --node <id>', 'the node to pin')
    .option('--lines <n>', `data lines each new source fixture keeps (1–${MAX_FIXTURE_LINES})`, (v) => Number.parseInt(v, 10), 200)
    .option('--remove <id>', "remove a node's pin (a source's: its fixture too)")
    .option('--list', 'list the pins')
    .option('-p, --param <name=value>', 'set a pipeline parameter (repeatable)', collectParam, {})
    .action(async (file: string, o: { node?: string; lines: number; remove?: string; list?: boolean; param: Record<string, string> }) => {
      const { raw, place } = readFileArg(file);
      let pins;
      if (o.remove !== undefined) pins = removePin(place, o.remove);
      else if (o.node !== undefined) {
        const p = preparePipeline(raw, o.param);
        const node = o.node;
        pins = await withPreviews((s) => pinNode(p, node, place, o.lines, (q, id, limit, baseDir) => s.preview(q, id, limit, baseDir)));
      } else if (o.list) pins = listPins(place);
      else throw new UserError('say what to do: --node ID to pin a node, --remove ID, or --list');
      if (pins.pins.length === 0) return io.out(`no pins in ${pins.folder}/`);
      io.out(`pins in ${pins.folder}/:`);
      for (const x of pins.pins) {
        const bits = [x.fixture ? `fixture ${path.basename(x.fixture.file)} (${x.fixture.lines} lines)` : '', x.expected ? `expects ${x.expected.rows} rows, ${x.expected.quarantined} quarantined, ${x.expected.filtered} filtered` : ''].filter(Boolean);
        io.out(`  ${x.nodeId}: ${bits.join('; ')}`);
      }
    });

  program
    .command('test <file>')
    .description("run a pipeline over its pinned fixtures and compare each pinned node with its expectation; exit 1 when one differs")
    .option('-p, --param <name=value>', 'set a pipeline parameter (repeatable)', collectParam, {})
    .option('--json', 'print the report as JSON')
    .action(async (file: string, o: { param: Record<string, string>; json?: boolean }) => {
      const { raw, place } = readFileArg(file);
      const p = preparePipeline(raw, o.param);
      const report = await withPreviews((s) => runPinTests(p, place, (q, id, limit, baseDir) => s.preview(q, id, limit, baseDir)));
      const label = (id: string): string => {
        const l = p.nodes.find((n) => n.id === id)?.label;
        return l && l !== id ? `${l} (${id})` : id;
      };
      if (o.json) io.out(JSON.stringify(report));
      else for (const line of reportLines(report, label)) io.out(line);
      if (!report.passed) io.setCode(EXIT.runFailed);
    });
}
