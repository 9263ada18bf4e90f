// Pipeline tests from pinned data (`sluice test`, the designer's "Pin this data"): what a pin is, what a test
// reports, and the EngineApi methods that make, list, remove and run them. Pure module (zod only).
//
// A pipeline's pins live in a folder beside its file, `<file minus .json>.tests/` (orders.pipeline.json →
// orders.pipeline.tests/): `<source id>.fixture.csv|ndjson` holds the first lines of a source's input, and
// `<node id>.expected.json` what the node gave over those fixtures (counts, rows, quarantine per rule).
import * as z from 'zod';

/** A pipeline file's name (no folder): pins are found beside it. */
const pipelineFileName = z
  .string()
  .min(6)
  .max(200)
  .regex(/^[^/\\.][^/\\]*\.json$/, 'a pipeline file name ending in .json, without a folder');

const where = {
  /** The saved pipeline's file name; its pins are in `<name minus .json>.tests/` in `baseDir`. */
  fileName: pipelineFileName,
  baseDir: z.string().optional(),
};

export const pinInfoSchema = z.object({
  nodeId: z.string(),
  /** A source's input fixture: its file (relative to the pipeline's folder) and its lines (a CSV's header included). */
  fixture: z.object({ file: z.string(), lines: z.number() }).optional(),
  /** The node's expected result over the fixtures. */
  expected: z.object({ file: z.string(), rows: z.number(), quarantined: z.number(), filtered: z.number() }).optional(),
});
export type PinInfo = z.infer<typeof pinInfoSchema>;

export const pinsSchema = z.object({
  /** The pins folder, relative to the pipeline's folder. */
  folder: z.string(),
  pins: z.array(pinInfoSchema),
});
export type Pins = z.infer<typeof pinsSchema>;

/** One difference between what a pin expected and what the pipeline gave. */
export const pinDiffSchema = z.object({
  /** `count` (rows in/out/quarantined/filtered), `rule` (quarantined per rule), `columns`, `rows` (missing or extra), `quarantine` (rows quarantined), `error`. */
  what: z.enum(['count', 'rule', 'columns', 'rows', 'quarantine', 'error']),
  /** The count or rule name, for `count` and `rule`. */
  subject: z.string().optional(),
  expected: z.string().optional(),
  actual: z.string().optional(),
  /** Rows expected but not produced (`-`) and produced but not expected (`+`), as JSON text, at most 10 of each. */
  missing: z.array(z.string()).optional(),
  extra: z.array(z.string()).optional(),
  /** How many rows were missing and extra in all (the lists above are cut at 10). */
  missingTotal: z.number().optional(),
  extraTotal: z.number().optional(),
});
export type PinDiff = z.infer<typeof pinDiffSchema>;

export const pinTestResultSchema = z.object({
  nodeId: z.string(),
  passed: z.boolean(),
  diffs: z.array(pinDiffSchema),
  ms: z.number(),
});
export type PinTestResult = z.infer<typeof pinTestResultSchema>;

export const pinTestReportSchema = z.object({
  pipelineName: z.string(),
  passed: z.boolean(),
  tests: z.array(pinTestResultSchema),
});
export type PinTestReport = z.infer<typeof pinTestReportSchema>;

/** Most data lines a source fixture keeps (the fixture is a test's input, kept in version control). */
export const MAX_FIXTURE_LINES = 1_000;

export const pinMethods = {
  /**
   * Pins a node: each source above it gets a fixture of its first `lines` data lines (kept if it has one), then the
   * node's result over the fixtures is stored as its expectation. A source pinned alone gets its fixture and the
   * rows it gives from it.
   */
  pinData: {
    input: z.object({ ...where, pipeline: z.unknown(), nodeId: z.string(), params: z.record(z.string(), z.string()).default({}), lines: z.number().int().min(1).max(MAX_FIXTURE_LINES).default(200) }),
    output: pinsSchema,
  },
  /** The pins of a saved pipeline. */
  listPins: { input: z.object(where), output: pinsSchema },
  /** Removes a node's expectation (and, for a source, its fixture). */
  removePin: { input: z.object({ ...where, nodeId: z.string() }), output: pinsSchema },
  /** Runs the pipeline over its fixtures and compares each pinned node with its expectation (`sluice test`). */
  testPins: { input: z.object({ ...where, pipeline: z.unknown(), params: z.record(z.string(), z.string()).default({}) }), output: pinTestReportSchema },
} as const;
