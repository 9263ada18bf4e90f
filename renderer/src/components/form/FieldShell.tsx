// The frame around one generated field: its label, whether it is required, its help text and its problems.
import type { ReactElement, ReactNode } from 'react';
import type { Problem } from '@sluice/format/pipeline/problems';
import { essentialProblems, humanizeMessage } from '../../lib/problems';
import { FixButton } from '../FixButton';

export function FieldErrors({ problems, id }: { problems: readonly Problem[]; id?: string }): ReactElement | null {
  if (problems.length === 0) return null;
  return (
    <ul className="field__errors" id={id} role="alert" data-testid="field-error">
      {essentialProblems(problems).map((p, i) => (
        <li key={i} title={p.message}>
          {humanizeMessage(p.message)}
          {p.fix && <FixButton problem={p} />}
        </li>
      ))}
    </ul>
  );
}

export interface FieldShellProps {
  id: string;
  label: string;
  required: boolean;
  description?: string | undefined;
  problems: readonly Problem[];
  /** `path` of the field in the config (for tests and for jumping to a problem). */
  field: string;
  children: ReactNode;
  /** Labels of checkboxes sit beside the box rather than above it. */
  inline?: boolean;
}

export function FieldShell({ id, label, required, description, problems, field, children, inline }: FieldShellProps): ReactElement {
  return (
    <div className={`field${problems.length > 0 ? ' has-error' : ''}${inline ? ' field--inline' : ''}`} data-field={field}>
      {!inline && (
        <label className="field__label" htmlFor={id}>
          {label}
          {required && (
            <span className="field__required" title="Required">
              *
            </span>
          )}
        </label>
      )}
      {children}
      {description && <div className="field__help">{description}</div>}
      <FieldErrors problems={problems} id={`${id}-errors`} />
    </div>
  );
}
