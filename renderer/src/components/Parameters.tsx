// Pipeline parameters: the panel that defines them (name, type, default, description) and the question Run
// asks for values that have no default. Values given at a run are remembered per pipeline and offered next time;
// the CLI's `--param name=value` reads the same definitions.
import { useEffect, useRef, useState, type ReactElement } from 'react';
import { PARAM_TYPES } from '@sluice/format/pipeline/pipeline';
import { CloseIcon } from '../lib/icons';
import { useDesigner } from '../store';
import { useAsk, type Ask, type ParamDef, type Params } from '../state/questions';


const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Why a value does not fit its parameter's type, or undefined when it does. */
export function paramValueProblem(type: ParamDef['type'], value: string): string | undefined {
  if (value === '') return 'Needs a value';
  switch (type) {
    case 'integer':
      return /^-?\d+$/.test(value) ? undefined : 'Expected a whole number';
    case 'number':
      return value.trim() !== '' && Number.isFinite(Number(value)) ? undefined : 'Expected a number';
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? undefined : 'Expected a date as YYYY-MM-DD';
    case 'boolean':
      return value === 'true' || value === 'false' ? undefined : 'Expected true or false';
    default:
      return undefined;
  }
}

export function ParametersField(): ReactElement {
  const params = useDesigner((s) => s.meta.params) as Params;
  const setMeta = useDesigner((s) => s.setMeta);
  const entries = Object.entries(params);
  const write = (next: [string, ParamDef][]) => setMeta({ params: Object.fromEntries(next) });
  const update = (i: number, name: string, def: ParamDef) => write(entries.map((e, j) => (j === i ? [name, def] : e)));
  const clean = (def: ParamDef): ParamDef => Object.fromEntries(Object.entries(def).filter(([, v]) => v !== undefined && v !== '')) as ParamDef;
  const add = () => {
    let n = entries.length + 1;
    while (params[`param_${n}`]) n += 1;
    write([...entries, [`param_${n}`, {}]]);
  };
  return (
    <section className="field params" aria-label="Parameters" data-testid="parameters">
      <div className="field__label">Parameters</div>
      <p className="field__help">
        Use one in any text setting as <code>{'${name}'}</code>. Run asks for those without a default; the CLI takes <code>--param name=value</code>.
      </p>
      {entries.map(([name, def], i) => (
        <div key={i} className="params__row" data-testid={`param-${name}`}>
          <input
            className={`input params__name${NAME.test(name) ? '' : ' is-invalid'}`}
            aria-label={`Name of parameter ${i + 1}`}
            aria-invalid={!NAME.test(name)}
            value={name}
            onChange={(e) => update(i, e.target.value, def)}
            spellCheck={false}
          />
          <select className="input select params__type" aria-label={`Type of ${name}`} value={def.type ?? 'string'} onChange={(e) => update(i, name, clean({ ...def, type: e.target.value === 'string' ? undefined : (e.target.value as ParamDef['type']) }))}>
            {PARAM_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <input className="input params__default" aria-label={`Default of ${name}`} placeholder="no default" value={def.default ?? ''} onChange={(e) => update(i, name, clean({ ...def, default: e.target.value }))} />
          <button type="button" className="icon-button icon-button--sm" aria-label={`Remove parameter ${name}`} onClick={() => write(entries.filter((_, j) => j !== i))}>
            <CloseIcon size={12} />
          </button>
          <input className="input params__desc" aria-label={`Description of ${name}`} placeholder="What it is for" value={def.description ?? ''} onChange={(e) => update(i, name, clean({ ...def, description: e.target.value }))} />
        </div>
      ))}
      <button type="button" className="button button--ghost" onClick={add} data-testid="param-add">
        + Add parameter
      </button>
    </section>
  );
}

export function RunParamsDialog(): ReactElement | null {
  const ask = useAsk((s) => s.open);
  const [values, setValues] = useState<Record<string, string>>({});
  const [forAsk, setForAsk] = useState<Ask | undefined>(undefined);
  // A new question starts from its offered values (adjusting state while rendering, as React recommends).
  if (forAsk !== ask) {
    setForAsk(ask);
    setValues(ask?.initial ?? {});
  }
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ask) requestAnimationFrame(() => first.current?.focus());
  }, [ask]);
  if (!ask) return null;
  const problems = Object.fromEntries(ask.params.map(([n, d]) => [n, paramValueProblem(d.type, values[n] ?? '')]));
  const ok = Object.values(problems).every((p) => p === undefined);
  return (
    <div className="modal-backdrop" data-testid="run-params">
      <form
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="run-params-title"
        onKeyDown={(e) => {
          if (e.key === 'Escape') ask.answer(undefined);
        }}
        onSubmit={(e) => {
          e.preventDefault();
          if (ok) ask.answer(values);
        }}
      >
        <h2 id="run-params-title" className="modal__title">
          Values for this run
        </h2>
        {ask.params.map(([name, def], i) => (
          <div key={name} className="field">
            <label className="field__label" htmlFor={`run-param-${name}`}>
              <code>{name}</code> {def.type && <span className="tag tag--muted">{def.type}</span>}
            </label>
            <input
              id={`run-param-${name}`}
              ref={i === 0 ? first : undefined}
              className="input"
              value={values[name] ?? ''}
              onChange={(e) => setValues({ ...values, [name]: e.target.value })}
              aria-invalid={problems[name] !== undefined}
              aria-describedby={`run-param-${name}-help`}
              data-testid={`run-param-${name}`}
            />
            <p id={`run-param-${name}-help`} className="field__help">
              {problems[name] ?? def.description ?? ''}
            </p>
          </div>
        ))}
        <div className="modal__actions">
          <button type="button" className="button button--ghost" onClick={() => ask.answer(undefined)}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={!ok} data-testid="run-params-go">
            Run
          </button>
        </div>
      </form>
    </div>
  );
}
