// One config field generated from its JSON Schema: picks the control for the schema's shape and frames it.
import type { ReactElement } from 'react';
import { pathToString } from '@sluice/format/pipeline/problems';
import type { Path } from '../../lib/immutable';
import { codeKindOf, fieldShape, humanizeKey, orderedProperties, stringRole, switchVariant, type JsonSchema, type UnionVariant } from '../../lib/schema';
import { CodeInput } from './CodeInput';
import { ListField, RecordField } from './collections';
import { fieldId, useFieldProblems, useForm } from './context';
import { FieldShell } from './FieldShell';
import { BooleanInput, EnumInput, JsonInput, NumberInput, TextInput } from './inputs';

export interface SchemaFieldProps {
  schema: JsonSchema;
  value: unknown;
  path: Path;
  /** The property name in its parent object; list items have none. */
  name?: string | undefined;
  /** The name of the nearest named ancestor (e.g. "columns" for a column list's items), for hints. */
  parentKey?: string | undefined;
  required: boolean;
  /** Inside a compact list row the field is drawn bare, its label in the row's header instead. */
  bare?: boolean;
  label?: string;
}

export function SchemaField({ schema, value, path, name, parentKey, required, bare, label: givenLabel }: SchemaFieldProps): ReactElement {
  const { nodeId, set } = useForm();
  const problems = useFieldProblems(path);
  const shape = fieldShape(schema);
  const id = fieldId(nodeId, path);
  const label = givenLabel ?? (name ? humanizeKey(name) : 'Value');
  const invalid = problems.length > 0;
  const onChange = (v: unknown) => set(path, v);
  const base = { id, value, schema, required, invalid, label, onChange };
  const field = pathToString(path);

  let control: ReactElement;
  switch (shape.kind) {
    case 'text': {
      const code = codeKindOf(name, schema, parentKey);
      control = code ? <CodeInput {...base} path={path} kind={code} /> : <TextInput {...base} role={stringRole(name, parentKey, schema)} />;
      break;
    }
    case 'enum':
      control = <EnumInput {...base} options={shape.options} />;
      break;
    case 'number':
      control = <NumberInput {...base} />;
      break;
    case 'boolean':
      control = <BooleanInput {...base} />;
      break;
    case 'list':
      return <ListField schema={schema} item={shape.item} value={value} path={path} name={name} required={required} label={label} problems={problems} />;
    case 'record':
      return <RecordField schema={schema} valueSchema={shape.value} value={value} path={path} name={name} required={required} label={label} problems={problems} />;
    case 'object':
      return (
        <fieldset className="field-group" data-field={field}>
          <legend className="field__label">{label}</legend>
          <ObjectFields schema={shape.schema} value={value} path={path} parentKey={name ?? parentKey} />
        </fieldset>
      );
    case 'union':
      return <UnionFields discriminator={shape.discriminator} variants={shape.variants} value={value} path={path} parentKey={name ?? parentKey} />;
    case 'json':
      control = <JsonInput id={id} value={value} invalid={invalid} label={label} onChange={onChange} />;
      break;
  }
  if (bare) {
    return (
      <div className={`field field--bare${invalid ? ' has-error' : ''}`} data-field={field}>
        {control}
      </div>
    );
  }
  return (
    <FieldShell id={id} label={label} required={required} description={schema.description} problems={problems} field={field} inline={shape.kind === 'boolean'}>
      {control}
    </FieldShell>
  );
}

/** The properties of an object schema, required ones first. */
export function ObjectFields({ schema, value, path, parentKey, skip }: { schema: JsonSchema; value: unknown; path: Path; parentKey?: string | undefined; skip?: string }): ReactElement {
  const obj = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const required = new Set(schema.required ?? []);
  return (
    <>
      {orderedProperties(schema)
        .filter(([key]) => key !== skip)
        .map(([key, prop]) => (
          <SchemaField key={key} schema={prop} value={Object.hasOwn(obj, key) ? obj[key] : undefined} path={[...path, key]} name={key} parentKey={parentKey} required={required.has(key)} />
        ))}
    </>
  );
}

/** A discriminated union (a validation rule): the variant is chosen first, and its own fields follow. */
function UnionFields({ discriminator, variants, value, path, parentKey }: { discriminator: string; variants: UnionVariant[]; value: unknown; path: Path; parentKey?: string | undefined }): ReactElement {
  const { nodeId, set } = useForm();
  const obj = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const current = typeof obj[discriminator] === 'string' ? (obj[discriminator] as string) : undefined;
  const variant = variants.find((v) => v.value === current);
  const discPath = [...path, discriminator];
  const problems = useFieldProblems(discPath);
  const id = fieldId(nodeId, discPath);
  return (
    <>
      <FieldShell id={id} label={humanizeKey(discriminator)} required problems={problems} field={pathToString(discPath)}>
        <select
          id={id}
          className="input select"
          value={current ?? ''}
          aria-invalid={problems.length > 0 || undefined}
          onChange={(e) => {
            const to = variants.find((v) => v.value === e.target.value);
            if (to) set(path, switchVariant(value, to, discriminator));
          }}
        >
          {!variant && <option value={current ?? ''}>{current ? `${current} (unknown)` : '—'}</option>}
          {variants.map((v) => (
            <option key={v.value} value={v.value}>
              {humanizeKey(v.value)}
            </option>
          ))}
        </select>
      </FieldShell>
      {variant && <ObjectFields schema={variant.schema} value={value} path={path} parentKey={parentKey} skip={discriminator} />}
    </>
  );
}
