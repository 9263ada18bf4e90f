// The one error model of the engine API. Every failure that crosses the contract is a SluiceError with a stable
// `code`, the place it belongs to (`where`: node, field, file, line) and a message written for the user. Adapters
// (HTTP server, Electron IPC, the engine's process link, the CLI) never inspect errors themselves: they call
// `toErrorBody` on the way out and `fromErrorBody` on the way back in, so a code and its place survive every hop.
// Pure (zod and the format's problem type only), so the renderer and the Electron shell may import it.
import * as z from 'zod';
import type { ZodError } from 'zod';
import { formatProblem, pathToString, type Problem } from '../pipeline/problems.js';

/**
 * A change that fixes a static problem, applied by the designer in one click: set a column's type in the node
 * that declares types (a source or Cast node), insert a Cast node on the edge into a node, or set a field.
 */
export const fixSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('set_type'), label: z.string(), nodeId: z.string(), column: z.string(), type: z.string() }),
  z.object({ action: z.literal('insert_cast'), label: z.string(), nodeId: z.string(), port: z.string(), column: z.string(), type: z.string() }),
  z.object({ action: z.literal('set_field'), label: z.string(), field: z.string(), value: z.unknown() }),
]);
export type Fix = z.infer<typeof fixSchema>;

export const problemSchema = z.object({
  path: z.string(),
  nodeId: z.string().optional(),
  field: z.string().optional(),
  message: z.string(),
  /** Stable code of a static problem (unknown_column, type_mismatch, duplicate_column, needs_file, …). */
  code: z.string().optional(),
  fix: fixSchema.optional(),
});

export const errorWhereSchema = z.object({
  nodeId: z.string().optional(),
  field: z.string().optional(),
  file: z.string().optional(),
  line: z.number().int().optional(),
});
export type ErrorWhere = z.infer<typeof errorWhereSchema>;

/** The error shape every adapter returns for a failed call: a user-facing message, never a stack. */
export const errorBodySchema = z.object({
  code: z.string(),
  message: z.string(),
  where: errorWhereSchema.optional(),
  problems: z.array(problemSchema).optional(),
});
export const engineErrorSchema = z.object({ error: errorBodySchema });
export type EngineErrorBody = z.infer<typeof engineErrorSchema>;

/**
 * Codes an engine answers with. Open-ended (a node may name a finer code), but these are the ones the front ends
 * act on; `internal` is the only one whose message is not the engine's own words.
 */
export const ERROR_CODES = {
  /** A mistake in the request, the pipeline or its input that the user can fix. */
  user: 'user_error',
  /** The pipeline document fails its checks; `problems` lists each with its place. */
  invalidPipeline: 'invalid_pipeline',
  /** A quality gate with severity "fail" tripped. */
  gateFailed: 'gate_failed',
  /** DuckDB refused a statement because of the pipeline's content (unknown column, failed conversion). */
  query: 'query_error',
  /** The run was cancelled while this was going on. */
  cancelled: 'cancelled',
  /** writeFile without `overwrite` found a file. */
  fileExists: 'file_exists',
  /** The run's journal cannot be trusted for a resume. */
  journalDamaged: 'journal_damaged',
  /** The engine's process ended while a call waited for it. */
  engineStopped: 'engine_stopped',
  badRequest: 'bad_request',
  notFound: 'not_found',
  forbidden: 'forbidden',
  internal: 'internal',
} as const;

/** Base of every error the engine raises on purpose. `internal` is false for errors the user can act on. */
export class SluiceError extends Error {
  readonly code: string;
  readonly where: ErrorWhere;
  /** Every problem of a document that failed its checks (or one, when a single place is known). */
  readonly problems: Problem[] | undefined;
  constructor(message: string, opts: { code: string; where?: ErrorWhere | undefined; problems?: Problem[] | undefined; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code;
    this.where = opts.where ?? {};
    this.problems = opts.problems;
  }
}

/** A mistake in the pipeline or its input: shown to the user as one message, never with a stack. */
export class UserError extends SluiceError {
  constructor(message: string, where: ErrorWhere = {}, opts: { code?: string; problems?: Problem[] | undefined; cause?: unknown } = {}) {
    super(message, { code: opts.code ?? ERROR_CODES.user, where, problems: opts.problems, cause: opts.cause });
  }
}

/** A pipeline document that fails its checks, with every problem found (the user's mistake, not the engine's). */
export class InvalidPipeline extends SluiceError {
  override readonly problems: Problem[];
  constructor(problems: Problem[], message?: string) {
    super(message ?? invalidPipelineMessage(problems), { code: ERROR_CODES.invalidPipeline, problems });
    this.problems = problems;
  }
}

/** Every problem with its place, one a line (the CLI and logs show this). */
function invalidPipelineMessage(problems: Problem[]): string {
  return problems.map((p) => formatProblem(p)).join('\n');
}

/** What a front end says about a document with these problems, which it places one by one next to their fields. */
export function invalidPipelineSummary(problems: Problem[]): string {
  if (problems.length === 1 && problems[0]) return problems[0].message;
  return `the pipeline has ${problems.length} problems; fix them first`;
}

/** A quality gate with severity "fail" tripped: the run stops with its own outcome and exit code. */
export class GateFailure extends UserError {
  constructor(message: string, where: ErrorWhere = {}) {
    super(message, where, { code: ERROR_CODES.gateFailed });
  }
}

/**
 * DuckDB refused a statement. Classified once, where the statement ran (runtime/database.ts): `userCaused` says
 * whether the pipeline's content caused it (binder, conversion, parser errors) or the engine did. The node that
 * ran the statement adds itself as `where.nodeId` (runtime/execution/execute.ts).
 */
export class QueryError extends SluiceError {
  constructor(
    message: string,
    /** DuckDB's error class, e.g. `Binder`, `Conversion`, `INTERRUPT`. */
    readonly duckdbType: string,
    readonly userCaused: boolean,
    where: ErrorWhere = {},
  ) {
    super(message, { code: duckdbType === 'INTERRUPT' ? ERROR_CODES.cancelled : userCaused ? ERROR_CODES.query : ERROR_CODES.internal, where });
  }

  /** The same error, placed at a node. */
  at(where: ErrorWhere): QueryError {
    const e = new QueryError(this.message, this.duckdbType, this.userCaused, { ...this.where, ...where });
    if (this.stack) e.stack = this.stack;
    return e;
  }
}

/**
 * A fault of the engine itself. Its message here is for the user ("X failed inside the engine"); the original
 * error, with its stack, stays in `detail` for logs and run records and never crosses the contract.
 */
export class InternalError extends SluiceError {
  readonly detail: string;
  constructor(message: string, cause?: unknown) {
    super(message, { code: ERROR_CODES.internal, cause });
    this.detail = cause instanceof Error ? (cause.stack ?? cause.message) : cause === undefined ? message : String(cause);
  }
}

/** Whether the error is the user's to fix (its message is shown as is), rather than a fault of the engine. */
export function isUserFacing(err: unknown): err is SluiceError {
  return err instanceof SluiceError && !(err instanceof InternalError) && err.code !== ERROR_CODES.internal;
}

/** The stack (or text) of an internal fault, for logs and run records. */
export function faultDetail(err: unknown): string {
  if (err instanceof InternalError) return err.detail;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

function cleanWhere(w: ErrorWhere): ErrorWhere | undefined {
  const out: ErrorWhere = {};
  if (w.nodeId !== undefined) out.nodeId = w.nodeId;
  if (w.field !== undefined) out.field = w.field;
  if (w.file !== undefined) out.file = w.file;
  if (w.line !== undefined) out.line = w.line;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The body every adapter answers a failed call with. User-facing errors keep their code, place and problems (a
 * single placed error is also listed as a problem, so the designer shows it next to its field); anything else
 * becomes `internal` with a message that names only the call, never the fault's text or stack.
 */
export function toErrorBody(err: unknown, call?: string): EngineErrorBody {
  if (isUserFacing(err)) {
    const where = cleanWhere(err.where);
    const message = err instanceof InvalidPipeline ? invalidPipelineSummary(err.problems) : err.message;
    const problems = err.problems ?? (where && (where.nodeId !== undefined || where.field !== undefined) ? [{ path: '', message, ...(where.nodeId !== undefined && { nodeId: where.nodeId }), ...(where.field !== undefined && { field: where.field }) }] : undefined);
    return { error: { code: err.code, message, ...(where && { where }), ...(problems && { problems }) } };
  }
  if (err instanceof InternalError && err.message) return { error: { code: ERROR_CODES.internal, message: err.message } };
  return { error: { code: ERROR_CODES.internal, message: call ? `${call} failed inside the engine` : 'the engine failed unexpectedly' } };
}

/** The error a body stands for, as the class that raised it, so a caller across a process boundary can rethrow it. */
export function fromErrorBody(body: EngineErrorBody): SluiceError {
  const e = body.error;
  if (e.code === ERROR_CODES.invalidPipeline) return new InvalidPipeline(e.problems ?? []);
  if (e.code === ERROR_CODES.internal) return new InternalError(e.message);
  if (e.code === ERROR_CODES.gateFailed) return new GateFailure(e.message, e.where ?? {});
  return new UserError(e.message, e.where ?? {}, { code: e.code, problems: e.problems });
}

/** The HTTP status of an error code (the local server's only use of it). */
export function httpStatusOf(code: string): number {
  switch (code) {
    case ERROR_CODES.badRequest:
      return 400;
    case 'unauthorized':
      return 401;
    case ERROR_CODES.forbidden:
      return 403;
    case ERROR_CODES.notFound:
      return 404;
    case ERROR_CODES.internal:
      return 500;
    default:
      return 422;
  }
}

/** A call's arguments that do not match the contract: one line per zod issue, naming the field. */
export function invalidInput(call: string, error: ZodError): UserError {
  const text = error.issues
    .map((issue) => {
      const where = pathToString(issue.path) || 'request body';
      // zod words a missing field as a type error ("expected nonoptional, received undefined").
      const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
      return `${where}: ${missing ? 'is required' : issue.message}`;
    })
    .join('; ');
  return new UserError(`Invalid input for ${call}: ${text}`, {}, { code: ERROR_CODES.badRequest });
}
