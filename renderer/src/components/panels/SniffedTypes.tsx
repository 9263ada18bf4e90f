// Column types for a source that reads text: the engine sniffs them from a sample with the strict casts a run
// applies, this panel shows them as "not in the file yet", and Accept writes them into the source's config. A run
// never uses a sniff: until the user accepts, every column without a declared type is read as text.
import { useEffect, useState, type ReactElement } from 'react';
import type { NodeKindInfo, SniffResult } from '@sluice/format/api/contract';
import { useChecks } from '../../state/checks';
import { useDesigner } from '../../store';

const DEBOUNCE_MS = 300;

function declaredOf(config: Record<string, unknown>, field: string): Record<string, string> {
  const v = config[field];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** What the sniff asks of the engine: the node's settings except the types being accepted. */
function sniffKey(config: Record<string, unknown>, field: string, baseDir: string | undefined): string {
  const rest = Object.fromEntries(Object.entries(config).filter(([k]) => k !== field));
  return JSON.stringify([rest, baseDir ?? '']);
}

function misfitNote(c: NonNullable<SniffResult['columns']>[number]): string | undefined {
  if (c.values === 0) return 'no values in the sample';
  if (!c.closest) return undefined;
  const shown = c.closest.examples.map((e) => JSON.stringify(e)).join(', ');
  const n = c.closest.misfits;
  return `${n} of ${c.values} values ${n === 1 ? 'is' : 'are'} not ${c.closest.type} (${shown}); as ${c.closest.type}, ${n === 1 ? 'its row' : 'those rows'} would be quarantined`;
}

export function SniffedTypes({ nodeId, info, config }: { nodeId: string; info: NodeKindInfo; config: Record<string, unknown> }): ReactElement | null {
  const field = info.sniffField as string;
  const api = useDesigner((s) => s.api);
  const baseDir = useDesigner((s) => s.origin.baseDir);
  const setNodeConfig = useDesigner((s) => s.setNodeConfig);
  const declared = declaredOf(config, field);
  // The header the engine read without running; the sniff is asked for only while some column has no type.
  const header = useChecks((s) => s.ports[nodeId]?.[info.outputs[0]?.name ?? 'out']);
  const open = header === undefined || header === null || header.some((c) => !(c.name in declared));
  // The header's names are part of the key: a file that changed on disk (a column added) is sniffed again.
  const key = sniffKey(config, field, baseDir) + (header ? header.map((c) => c.name).join('\u0000') : '');
  const [answer, setAnswer] = useState<{ key: string; result: SniffResult | undefined; failed?: string }>();
  const [choice, setChoice] = useState<Record<string, string>>({});

  useEffect(() => {
    if (!api || !open) return;
    let live = true;
    const timer = setTimeout(() => {
      const pipeline = useDesigner.getState().toPipeline();
      api.sniffTypes({ pipeline, nodeId, ...(baseDir ? { baseDir } : {}) }).then(
        (result) => {
          if (!live) return;
          setAnswer({ key, result });
          setChoice({});
        },
        (e: unknown) => live && setAnswer({ key, result: undefined, failed: e instanceof Error ? e.message : String(e) }),
      );
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // `key` holds every setting the sniff depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key, open, nodeId]);

  const declaredCount = Object.keys(declared).length;
  if (!open) {
    return (
      <p className="sniff__accepted" data-testid="sniffed-types" data-state="accepted">
        Column types are in the file ({declaredCount} {declaredCount === 1 ? 'column' : 'columns'}); runs read every column with its declared type.
      </p>
    );
  }
  const result = answer?.key === key ? answer.result : undefined;
  const pending = (result?.columns ?? []).filter((c) => !(c.name in declared));
  const typeOf = (name: string, sniffed: string) => choice[name] ?? sniffed;
  const accept = () => {
    const next = { ...declared };
    for (const c of pending) next[c.name] = typeOf(c.name, c.type);
    setNodeConfig(nodeId, { ...config, [field]: next });
  };

  return (
    <section className="sniff" aria-label="Sniffed column types" data-testid="sniffed-types" data-state={result?.columns ? 'sniffed' : 'none'}>
      <div className="sniff__title">
        Column types <span className="sniff__badge">sniffed · not in the file yet</span>
      </div>
      {answer?.failed && answer.key === key ? (
        <p className="sniff__note">The engine could not sniff the types: {answer.failed}</p>
      ) : !result ? (
        <p className="sniff__note">Reading a sample…</p>
      ) : result.error ? (
        <p className="sniff__note" data-testid="sniff-error">
          Nothing to sniff yet: {result.error}
        </p>
      ) : (
        <>
          <p className="sniff__note">
            From {result.rows} {result.rows === 1 ? 'row' : 'rows'} at the start of <code>{result.file}</code> (1,000 at most), by the strict rules a run uses. Until you accept them,{' '}
            {declaredCount > 0 ? 'these columns are' : 'every column is'} read as text.
          </p>
          <table className="sniff__table">
            <tbody>
              {pending.map((c) => {
                const note = misfitNote(c);
                const options = [...new Set([c.type, ...(c.closest ? [c.closest.type] : []), 'VARCHAR'])];
                return (
                  <tr key={c.name} data-column={c.name}>
                    <td className="sniff__name" title={c.name}>{c.name}</td>
                    <td>
                      <select
                        className="input select sniff__select"
                        value={typeOf(c.name, c.type)}
                        aria-label={`Type of ${c.name}`}
                        onChange={(e) => setChoice({ ...choice, [c.name]: e.target.value })}
                        data-testid={`sniff-type-${c.name}`}
                      >
                        {options.map((t) => (
                          <option key={t} value={t}>
                            {t === 'VARCHAR' ? 'VARCHAR (text)' : t}
                          </option>
                        ))}
                      </select>
                      {note && <div className="sniff__misfit">{note}</div>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <button type="button" className="button button--primary sniff__accept" onClick={accept} disabled={pending.length === 0} data-testid="accept-sniffed-types">
            Accept types into the file
          </button>
        </>
      )}
    </section>
  );
}
