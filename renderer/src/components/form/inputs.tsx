// The single-value controls of generated config forms. Each writes through the form context as the user
// types, so previews and checks follow the edit (debounced elsewhere), and one field's typing is one undo step.
import { useId, useRef, useState, type ReactElement } from 'react';
import { COMMON_TYPES, type JsonSchema, type StringRole } from '../../lib/schema';
import { useForm } from './context';
import { paramHints, paramValueOptions } from '../../editor/completion';
import { useDesigner } from '../../store';

interface BaseProps {
  id: string;
  value: unknown;
  schema: JsonSchema;
  required: boolean;
  invalid: boolean;
  label: string;
  onChange(value: unknown): void;
}

/** Empty optional text is left out of the config instead of being saved as "". */
function emptyTo(required: boolean, text: string): string | undefined {
  return text === '' && !required ? undefined : text;
}

function placeholderOf(schema: JsonSchema): string | undefined {
  if (schema.default === undefined || schema.default === '') return undefined;
  return `${String(schema.default)} (default)`;
}

export function TextInput({ id, value, schema, required, invalid, label, onChange, role }: BaseProps & { role: StringRole }): ReactElement {
  const { columns } = useForm();
  const listId = useId();
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  const params = useDesigner((s) => s.meta.params);
  // Column pickers list the input's columns with their types (the browser filters them as the user types);
  // any text field typed up to `${` offers the pipeline's parameters, completed in place (`out/${re` → `out/${region}`).
  const paramOptions = paramValueOptions(text, paramHints(params));
  const options: { value: string; label?: string }[] =
    paramOptions.length > 0 ? paramOptions : role === 'column' ? columns.map((c) => ({ value: c.name, label: c.type })) : role === 'type' ? COMMON_TYPES.map((t) => ({ value: t })) : [];
  if (role === 'sql') return <SqlInput {...{ id, value, schema, required, invalid, label, onChange }} />;
  if (role === 'column' && columns.length > 0 && paramOptions.length === 0) return <ColumnPicker {...{ id, value, schema, required, invalid, label, onChange }} />;
  return (
    <>
      <input
        id={id}
        className={`input${role === 'path' || role === 'type' || role === 'column' ? ' input--mono' : ''}`}
        type="text"
        value={text}
        placeholder={placeholderOf(schema) ?? (role === 'column' ? 'column' : role === 'type' ? 'type' : undefined)}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? `${id}-errors` : undefined}
        aria-label={label}
        aria-required={required || undefined}
        spellCheck={false}
        autoComplete="off"
        list={options.length > 0 ? listId : undefined}
        data-param-options={paramOptions.length > 0 ? paramOptions.length : undefined}
        onChange={(e) => onChange(emptyTo(required, e.target.value))}
      />
      {options.length > 0 && (
        <datalist id={listId}>
          {options.map((o) => (
            <option key={o.value} value={o.value} label={o.label} />
          ))}
        </datalist>
      )}
    </>
  );
}

/**
 * SQL and expressions: a monospace text area with the input's column names as clickable hints (inserted at
 * the cursor, quoted when needed). A Monaco editor with completion replaces this in a later step.
 */
export function SqlInput({ id, value, required, invalid, label, onChange }: Omit<BaseProps, 'role'>): ReactElement {
  const { columns } = useForm();
  const area = useRef<HTMLTextAreaElement>(null);
  const text = typeof value === 'string' ? value : '';
  const insert = (name: string) => {
    const el = area.current;
    const token = /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + token + text.slice(end);
    onChange(emptyTo(required, next));
    // Put the caret after the inserted name once React has written the new value.
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + token.length, start + token.length);
    });
  };
  return (
    <>
      <textarea
        ref={area}
        id={id}
        className="input input--mono input--area"
        value={text}
        rows={Math.min(8, Math.max(2, text.split('\n').length))}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? `${id}-errors` : undefined}
        aria-label={label}
        aria-required={required || undefined}
        spellCheck={false}
        onChange={(e) => onChange(emptyTo(required, e.target.value))}
      />
      {columns.length > 0 && (
        <div className="column-hints" aria-label="Input columns">
          {columns.map((c) => (
            <button key={c.name} type="button" className="column-hint" title={`${c.type}: click to insert`} onClick={() => insert(c.name)}>
              {c.name}
            </button>
          ))}
        </div>
      )}
    </>
  );
}

/** Keeps the text being typed ("1.", "-") while the config holds the last complete number. */
export function NumberInput({ id, value, schema, required, invalid, label, onChange }: BaseProps): ReactElement {
  const external = typeof value === 'number' ? String(value) : '';
  const [text, setText] = useState(external);
  const [shown, setShown] = useState(external);
  if (shown !== external) {
    // Undo, or an edit elsewhere, changed the number: show it, unless the typed text already means it.
    setShown(external);
    if (!(text !== '' && external !== '' && Number(text) === Number(external))) setText(external);
  }
  return (
    <input
      id={id}
      className="input input--number"
      type="number"
      inputMode="decimal"
      value={text}
      min={schema.minimum}
      max={schema.maximum}
      step={schema.type === 'integer' ? 1 : 'any'}
      placeholder={placeholderOf(schema)}
      aria-invalid={invalid || undefined}
      aria-describedby={invalid ? `${id}-errors` : undefined}
      aria-label={label}
      aria-required={required || undefined}
      onChange={(e) => {
        setText(e.target.value);
        if (e.target.value === '') onChange(undefined);
        else if (Number.isFinite(e.target.valueAsNumber)) onChange(e.target.valueAsNumber);
      }}
    />
  );
}

export function BooleanInput({ id, value, schema, label, onChange }: BaseProps): ReactElement {
  const checked = typeof value === 'boolean' ? value : schema.default === true;
  return (
    <label className="switch" htmlFor={id}>
      <input id={id} type="checkbox" role="switch" checked={checked} aria-label={label} onChange={(e) => onChange(e.target.checked)} />
      <span className="switch__track" aria-hidden="true" />
      <span className="switch__label">{label}</span>
    </label>
  );
}

export function EnumInput({ id, value, schema, required, invalid, label, onChange, options }: BaseProps & { options: readonly string[] }): ReactElement {
  const current = typeof value === 'string' ? value : typeof schema.default === 'string' ? schema.default : '';
  const known = options.includes(current);
  return (
    <select
      id={id}
      className="input select"
      value={current}
      aria-invalid={invalid || undefined}
      aria-describedby={invalid ? `${id}-errors` : undefined}
      aria-label={label}
      onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
    >
      {(!required || current === '') && schema.default === undefined && <option value="">—</option>}
      {/* A value the schema does not offer (from a hand-edited file) stays visible instead of silently changing. */}
      {!known && current !== '' && <option value={current}>{current} (not an option)</option>}
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
          {o === schema.default ? ' (default)' : ''}
        </option>
      ))}
    </select>
  );
}

/** Fallback for shapes the form does not know: the value as JSON, applied when it parses. */
export function JsonInput({ id, value, invalid, label, onChange }: Omit<BaseProps, 'schema' | 'required'>): ReactElement {
  const external = value === undefined ? '' : JSON.stringify(value, null, 2);
  const [text, setText] = useState(external);
  const [shown, setShown] = useState(external);
  const [bad, setBad] = useState(false);
  if (shown !== external) {
    setShown(external);
    setText(external);
  }
  return (
    <textarea
      id={id}
      className="input input--mono input--area"
      value={text}
      rows={Math.min(10, Math.max(2, text.split('\n').length))}
      aria-invalid={invalid || bad || undefined}
      aria-label={label}
      spellCheck={false}
      onChange={(e) => {
        setText(e.target.value);
        if (e.target.value.trim() === '') {
          setBad(false);
          onChange(undefined);
          return;
        }
        try {
          onChange(JSON.parse(e.target.value) as unknown);
          setBad(false);
        } catch {
          setBad(true);
        }
      }}
    />
  );
}

/**
 * A column of the input, picked from a list that shows each column's type and narrows as the user types. Any
 * name may still be typed (the engine says if it does not exist).
 */
export function ColumnPicker({ id, value, required, invalid, label, onChange }: BaseProps): ReactElement {
  const { columns } = useForm();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const text = typeof value === 'string' ? value : '';
  const q = text.trim().toLowerCase();
  const exact = columns.some((c) => c.name === text);
  const shown = exact || q === '' ? columns : columns.filter((c) => c.name.toLowerCase().includes(q) || c.type.toLowerCase().includes(q));
  const pick = (name: string) => {
    onChange(emptyTo(required, name));
    setOpen(false);
  };
  return (
    <div className="column-picker" data-testid="column-picker">
      <input
        id={id}
        className="input input--mono"
        type="text"
        role="combobox"
        aria-expanded={open}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        value={text}
        placeholder="column"
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? `${id}-errors` : undefined}
        aria-label={label}
        aria-required={required || undefined}
        spellCheck={false}
        autoComplete="off"
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            setOpen(true);
            setActive((a) => Math.min(a + 1, shown.length - 1));
            e.preventDefault();
          } else if (e.key === 'ArrowUp') {
            setActive((a) => Math.max(a - 1, 0));
            e.preventDefault();
          } else if (e.key === 'Enter' && open && shown[active]) {
            pick(shown[active].name);
            e.preventDefault();
          } else if (e.key === 'Escape') setOpen(false);
        }}
        onChange={(e) => {
          onChange(emptyTo(required, e.target.value));
          setOpen(true);
          setActive(0);
        }}
      />
      {open && shown.length > 0 && (
        <ul className="column-picker__list" id={`${id}-list`} role="listbox" aria-label={`Columns for ${label}`}>
          {shown.map((c, i) => (
            <li
              key={c.name}
              role="option"
              aria-selected={i === active}
              className={`column-picker__item${i === active ? ' is-active' : ''}${c.name === text ? ' is-current' : ''}`}
              // mousedown, not click: the input's blur would close the list before a click lands.
              onMouseDown={(e) => {
                e.preventDefault();
                pick(c.name);
              }}
            >
              <span className="column-picker__name">{c.name}</span>
              <span className="column-picker__type">{c.type}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
