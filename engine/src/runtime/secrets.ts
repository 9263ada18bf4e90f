// Secrets a pipeline uses (REST credentials from the environment). Two rules live here:
//
// 1. Which environment variables a pipeline may read. The pipeline file is untrusted, so it may not choose any
//    variable of the user's environment (`"X-Trace": "HOME"` would send the home path to an API). It may read
//    variables named `SLUICE_SECRET_…`, and the names the user allowed: `--allow-env NAME` on the command line
//    (run, preview, serve), kept in SLUICE_ALLOW_ENV so a supervised worker inherits the choice.
// 2. Redaction. Every secret value read is remembered for the life of the process, and every string the engine
//    stores or returns (errors, manifests, events, the server's answers, stderr) passes through `redact`, so an
//    API that echoes a credential (in its status text, say) cannot get it written anywhere.

/** Environment variables with this prefix are readable by pipelines without being allowed one by one. */
export const SECRET_ENV_PREFIX = 'SLUICE_SECRET_';
/** Holds the comma-separated names the user allowed (set by `--allow-env`; inherited by workers). */
export const ALLOW_ENV_VAR = 'SLUICE_ALLOW_ENV';
/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';
/** Shorter values are not redacted: replacing every "ab" in every message would garble it and hide nothing. */
const MIN_SECRET_LENGTH = 4;

const secrets = new Set<string>();

/** Let pipelines in this process (and the workers it starts) read these environment variables. */
export function allowEnv(names: readonly string[]): void {
  const all = new Set([...allowedEnvNames(), ...names.filter((n) => n.trim() !== '')]);
  process.env[ALLOW_ENV_VAR] = [...all].join(',');
}

export function allowedEnvNames(): string[] {
  return (process.env[ALLOW_ENV_VAR] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Whether a pipeline may read the process environment variable `name`. */
export function envReadable(name: string): boolean {
  return name.startsWith(SECRET_ENV_PREFIX) || allowedEnvNames().includes(name);
}

/** The view of the process environment a pipeline gets: only the readable names. */
export function pipelineEnv(extra: readonly string[] = []): Readonly<Record<string, string | undefined>> {
  const readable = (name: string | symbol): name is string => typeof name === 'string' && (envReadable(name) || extra.includes(name));
  return new Proxy(Object.create(null) as Record<string, string | undefined>, {
    get: (_t, name) => (readable(name) ? process.env[name] : undefined),
    has: (_t, name) => readable(name) && process.env[name] !== undefined,
  });
}

/** Remember a secret value (and the forms it travels in) so that `redact` removes it from then on. */
export function registerSecret(value: string): void {
  if (value.length < MIN_SECRET_LENGTH) return;
  secrets.add(value);
  const encoded = encodeURIComponent(value);
  if (encoded !== value) secrets.add(encoded);
  const json = JSON.stringify(value).slice(1, -1);
  if (json !== value) secrets.add(json);
}

/** The string with every registered secret replaced by `[redacted]`. */
export function redact(s: string): string {
  if (secrets.size === 0 || s.length < MIN_SECRET_LENGTH) return s;
  let out = s;
  // Longest first, so a secret containing another is removed whole.
  for (const v of [...secrets].sort((a, b) => b.length - a.length)) if (out.includes(v)) out = out.split(v).join(REDACTED);
  return out;
}

/** A copy of a JSON-like value with every string (keys included) redacted. */
export function redactDeep<T>(value: T): T {
  if (secrets.size === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[redact(k)] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
