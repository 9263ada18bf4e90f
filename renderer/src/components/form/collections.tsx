// Lists and key/value records in generated config forms: add, remove and reorder rows.
import { useState, type KeyboardEvent, type ReactElement } from 'react';
import type { Problem } from '@sluice/format/pipeline/problems';
import { pathToString } from '@sluice/format/pipeline/problems';
import { moveItem, removeAt, renameKey, type Path } from '../../lib/immutable';
import { humanizeMessage } from '../../lib/problems';
import { emptyValue, fieldShape, humanizeKey, orderedProperties, singular, stringRole, type JsonSchema } from '../../lib/schema';
import { ArrowDownIcon, ArrowUpIcon, PlusIcon, TrashIcon } from '../../lib/icons';
import { fieldId, useForm } from './context';
import { FieldErrors } from './FieldShell';
import { SchemaField } from './SchemaField';
import { FixButton } from '../FixButton';
import { TextInput } from './inputs';

interface CollectionProps {
  schema: JsonSchema;
  value: unknown;
  path: Path;
  name?: string | undefined;
  required: boolean;
  label: string;
  problems: readonly Problem[];
}

/** Objects whose fields are all short single values are edited as table rows instead of cards. */
function isCompact(item: JsonSchema, listKey: string | undefined): boolean {
  const shape = fieldShape(item);
  if (shape.kind !== 'object') return false;
  const props = orderedProperties(item);
  return props.length <= 4 && props.every(([k, p]) => ['text', 'enum', 'number', 'boolean'].includes(fieldShape(p).kind) && stringRole(k, listKey, p) !== 'sql');
}

/** Problems anywhere below `path`, for a row whose fields are drawn without their own error lines. */
function problemsBelow(all: ReadonlyMap<string, Problem[]>, path: Path): { field: string; problem: Problem }[] {
  const prefix = pathToString(path);
  const out: { field: string; problem: Problem }[] = [];
  for (const [key, list] of all) {
    if (key.startsWith(`${prefix}.`) || key.startsWith(`${prefix}[`)) for (const problem of list) out.push({ field: key.slice(prefix.length).replace(/^\./, ''), problem });
  }
  return out;
}

/** `hidden`: an invisible copy in a table header, so the header's columns line up with the rows'. */
function RowButtons({ index, count, noun, onMove, onRemove, hidden }: { index: number; count: number; noun: string; onMove(to: number): void; onRemove(): void; hidden?: boolean }): ReactElement {
  return (
    <div className={`row-buttons${hidden ? ' row-buttons--ghost' : ''}`} aria-hidden={hidden || undefined}>
      {count > 1 && (
        <>
          <button type="button" className="mini-button" aria-label={`Move ${noun} ${index + 1} up`} title="Move up" disabled={index === 0} onClick={() => onMove(index - 1)}>
            <ArrowUpIcon size={13} />
          </button>
          <button type="button" className="mini-button" aria-label={`Move ${noun} ${index + 1} down`} title="Move down" disabled={index === count - 1} onClick={() => onMove(index + 1)}>
            <ArrowDownIcon size={13} />
          </button>
        </>
      )}
      <button type="button" className="mini-button mini-button--danger" aria-label={`Remove ${noun} ${index + 1}`} title="Remove" onClick={onRemove}>
        <TrashIcon size={13} />
      </button>
    </div>
  );
}

/** A fresh item; an `id` field gets a unique id so a new rule is valid as soon as it is added. */
function newItem(item: JsonSchema, list: readonly unknown[], noun: string): unknown {
  const value = emptyValue(item);
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'id' in value && (value as { id: unknown }).id === '') {
    const taken = new Set(list.map((x) => (x !== null && typeof x === 'object' ? (x as { id?: unknown }).id : undefined)));
    const stem = noun.toLowerCase().replace(/[^a-z0-9]+/g, '_');
    let n = list.length + 1;
    while (taken.has(`${stem}_${n}`)) n += 1;
    return { ...value, id: `${stem}_${n}` };
  }
  return value;
}

export function ListField({ schema, item, value, path, name, required, label, problems }: CollectionProps & { item: JsonSchema }): ReactElement {
  const { nodeId, set, problems: all } = useForm();
  const list = Array.isArray(value) ? (value as unknown[]) : [];
  const noun = singular(name);
  const shape = fieldShape(item);
  const compact = isCompact(item, name);
  const scalar = ['text', 'enum', 'number', 'boolean'].includes(shape.kind);
  const field = pathToString(path);
  const id = fieldId(nodeId, path);
  const write = (next: unknown[]) => set(path, next.length === 0 && !required ? undefined : next);
  // Table rows keep the schema's own order (function, column, name), which reads like a sentence.
  const itemProps = compact && shape.kind === 'object' ? Object.entries(item.properties ?? {}) : [];
  const itemRequired = new Set(item.required ?? []);

  return (
    <fieldset className={`field-group${problems.length > 0 ? ' has-error' : ''}`} data-field={field} id={id}>
      <legend className="field__label">
        {label}
        {required && (
          <span className="field__required" title="Required">
            *
          </span>
        )}
        <span className="field__count">{list.length}</span>
      </legend>
      {schema.description && <div className="field__help field__help--top">{schema.description}</div>}
      {compact && list.length > 0 && (
        <div className="list-table__head" style={{ gridTemplateColumns: `repeat(${itemProps.length}, minmax(0, 1fr)) auto` }} aria-hidden="true">
          {itemProps.map(([k]) => (
            <span key={k}>
              {humanizeKey(k)}
              {itemRequired.has(k) && <span className="field__required">*</span>}
            </span>
          ))}
          <RowButtons index={0} count={list.length} noun="" onMove={() => undefined} onRemove={() => undefined} hidden />
        </div>
      )}
      <ol className={`list-items${compact || scalar ? ' list-items--rows' : ''}`}>
        {list.map((entry, i) => {
          const itemPath = [...path, i];
          const onMove = (to: number) => write(moveItem(list, i, to));
          const onRemove = () => write(removeAt(list, i));
          if (scalar) {
            return (
              <li key={i} className="list-row">
                <SchemaField schema={item} value={entry} path={itemPath} parentKey={name} required bare label={`${noun} ${i + 1}`} />
                <RowButtons index={i} count={list.length} noun={noun.toLowerCase()} onMove={onMove} onRemove={onRemove} />
                <FieldErrors problems={all.get(pathToString(itemPath)) ?? []} />
              </li>
            );
          }
          if (compact) {
            const obj = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>) : {};
            const below = problemsBelow(all, itemPath);
            return (
              <li key={i} className="list-row list-row--table">
                <div className="list-table__row" style={{ gridTemplateColumns: `repeat(${itemProps.length}, minmax(0, 1fr)) auto` }}>
                  {itemProps.map(([k, p]) => (
                    <SchemaField key={k} schema={p} value={obj[k]} path={[...itemPath, k]} name={k} parentKey={name} required={itemRequired.has(k)} bare label={`${humanizeKey(k)} of ${noun.toLowerCase()} ${i + 1}`} />
                  ))}
                  <RowButtons index={i} count={list.length} noun={noun.toLowerCase()} onMove={onMove} onRemove={onRemove} />
                </div>
                {below.length > 0 && (
                  <ul className="field__errors" role="alert" data-testid="field-error">
                    {below.map(({ field: f, problem }, j) => (
                      <li key={j} title={problem.message}>
                        {humanizeKey(f.split('.').pop() ?? f)}: {humanizeMessage(problem.message)}
                        {problem.fix && <FixButton problem={problem} />}
                      </li>
                    ))}
                  </ul>
                )}
                <FieldErrors problems={all.get(pathToString(itemPath)) ?? []} />
              </li>
            );
          }
          const obj = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>) : {};
          const title = typeof obj['id'] === 'string' && obj['id'] ? obj['id'] : typeof obj['name'] === 'string' && obj['name'] ? obj['name'] : undefined;
          return (
            <li key={i} className="list-card" data-testid={`list-item-${field}-${i}`}>
              <div className="list-card__head">
                <span className="list-card__index">{i + 1}</span>
                <span className="list-card__title">{title ?? `${noun} ${i + 1}`}</span>
                <RowButtons index={i} count={list.length} noun={noun.toLowerCase()} onMove={onMove} onRemove={onRemove} />
              </div>
              <div className="list-card__body">
                <SchemaField schema={item} value={entry} path={itemPath} parentKey={name} required bare={shape.kind !== 'object' && shape.kind !== 'union'} label={`${noun} ${i + 1}`} />
                <FieldErrors problems={all.get(pathToString(itemPath)) ?? []} />
              </div>
            </li>
          );
        })}
      </ol>
      <button type="button" className="add-button" onClick={() => write([...list, newItem(item, list, noun)])} data-testid={`add-${field}`}>
        <PlusIcon size={13} /> Add {noun.toLowerCase()}
      </button>
      <FieldErrors problems={problems} />
    </fieldset>
  );
}

/** A record key being renamed: kept locally until it is complete and unique, so two keys never merge. */
function KeyInput({ id, current, taken, onRename, label }: { id: string; current: string; taken: ReadonlySet<string>; onRename(to: string): void; label: string }): ReactElement {
  const { columns } = useForm();
  const [text, setText] = useState(current);
  const [prev, setPrev] = useState(current);
  if (prev !== current) {
    setPrev(current);
    setText(current);
  }
  const clash = text !== current && taken.has(text);
  const commit = () => {
    if (text === current) return;
    if (text.trim() === '' || clash) setText(current);
    else onRename(text);
  };
  return (
    <input
      id={id}
      className="input input--mono"
      value={text}
      aria-label={label}
      aria-invalid={clash || undefined}
      title={clash ? `“${text}” is already listed` : undefined}
      list={columns.length > 0 ? `${id}-cols` : undefined}
      spellCheck={false}
      autoComplete="off"
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
        if (e.key === 'Escape') setText(current);
      }}
    />
  );
}

export function RecordField({ schema, valueSchema, value, path, name, required, label, problems }: CollectionProps & { valueSchema: JsonSchema }): ReactElement {
  const { nodeId, set, columns, problems: all } = useForm();
  const record = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const entries = Object.entries(record);
  const keys = new Set(Object.keys(record));
  const field = pathToString(path);
  const id = fieldId(nodeId, path);
  const [draftKey, setDraftKey] = useState('');
  const [draftValue, setDraftValue] = useState<unknown>(undefined);
  const valueRole = name === 'types' ? 'type' : 'plain';
  const write = (next: Record<string, unknown>) => set(path, Object.keys(next).length === 0 && !required && schema.default === undefined ? undefined : next);
  const addDraft = () => {
    const key = draftKey.trim();
    if (!key || keys.has(key)) return;
    write({ ...record, [key]: draftValue ?? emptyValue(valueSchema) });
    setDraftKey('');
    setDraftValue(undefined);
  };
  const onDraftKey = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      addDraft();
    }
  };
  const unusedColumns = columns.filter((c) => !keys.has(c.name));

  return (
    <fieldset className={`field-group${problems.length > 0 ? ' has-error' : ''}`} data-field={field} id={id}>
      <legend className="field__label">
        {label}
        <span className="field__count">{entries.length}</span>
      </legend>
      {schema.description && <div className="field__help field__help--top">{schema.description}</div>}
      {entries.length > 0 && (
        <div className="list-table__head list-table__head--record" aria-hidden="true">
          <span>{name === 'types' ? 'Column' : 'Key'}</span>
          <span>{name === 'types' ? 'Type' : 'Value'}</span>
          <RowButtons index={0} count={1} noun="" onMove={() => undefined} onRemove={() => undefined} hidden />
        </div>
      )}
      <ol className="list-items list-items--rows">
        {entries.map(([key, v], i) => {
          const valuePath = [...path, key];
          return (
            <li key={key} className="list-row list-row--table" data-key={key}>
              <div className="list-table__row list-table__row--record">
                <KeyInput id={`${id}-k${i}`} current={key} taken={keys} label={`Name of entry ${i + 1}`} onRename={(to) => write(renameKey(record, key, to))} />
                <SchemaField schema={valueSchema} value={v} path={valuePath} name={valueRole === 'type' ? 'to' : undefined} required bare label={`${name === 'types' ? 'Type of' : 'Value of'} ${key}`} />
                <div className="row-buttons">
                  <button
                    type="button"
                    className="mini-button mini-button--danger"
                    aria-label={`Remove ${key}`}
                    title="Remove"
                    onClick={() => {
                      const next = { ...record };
                      delete next[key];
                      write(next);
                    }}
                  >
                    <TrashIcon size={13} />
                  </button>
                </div>
              </div>
              <FieldErrors problems={all.get(pathToString(valuePath)) ?? []} />
            </li>
          );
        })}
      </ol>
      <div className="record-draft" onKeyDown={onDraftKey}>
        <input
          className="input input--mono"
          value={draftKey}
          placeholder={name === 'types' ? 'column' : 'key'}
          aria-label={`New ${name === 'types' ? 'column' : 'key'}`}
          list={unusedColumns.length > 0 ? `${id}-draft-cols` : undefined}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => setDraftKey(e.target.value)}
          data-testid={`draft-key-${field}`}
        />
        {unusedColumns.length > 0 && (
          <datalist id={`${id}-draft-cols`}>
            {unusedColumns.map((c) => (
              <option key={c.name} value={c.name} />
            ))}
          </datalist>
        )}
        {fieldShape(valueSchema).kind === 'text' ? (
          <TextInput
            id={`${id}-draft-value`}
            value={typeof draftValue === 'string' ? draftValue : ''}
            schema={valueSchema}
            required={false}
            invalid={false}
            label={`New ${name === 'types' ? 'type' : 'value'}`}
            role={valueRole}
            onChange={(v) => setDraftValue(v)}
          />
        ) : (
          <span />
        )}
        <button type="button" className="mini-button" aria-label="Add entry" title={draftKey.trim() && keys.has(draftKey.trim()) ? 'Already listed' : 'Add'} disabled={!draftKey.trim() || keys.has(draftKey.trim())} onClick={addDraft}>
          <PlusIcon size={13} />
        </button>
      </div>
      <FieldErrors problems={problems} />
    </fieldset>
  );
}
