// Rows of a preview in a virtualized grid: only the rows in view (plus a few) are in the DOM.
// A DOM virtualizer suits previews, which the contract caps at 10,000 rows; cells stay real text that
// screen readers, find-in-page and tests can read, and the theme's CSS styles them directly.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef, type ReactElement } from 'react';
import type { Cell, Column } from '@sluice/format/api/contract';
import { isNumericType } from '../../lib/format';

const ROW_HEIGHT = 26;
const INDEX_WIDTH = 52;
const CHAR_PX = 7.4;
const MIN_COL = 72;
const MAX_COL = 320;

function cellText(v: Cell): string {
  return v === null ? 'null' : typeof v === 'string' ? v : String(v);
}

/** Column widths from the header and the widest value in the first rows, within sane bounds. */
function columnWidths(columns: readonly Column[], rows: readonly Cell[][]): number[] {
  return columns.map((c, i) => {
    let chars = Math.max(c.name.length, c.type.length + 2);
    for (let r = 0; r < Math.min(rows.length, 200); r++) chars = Math.max(chars, cellText(rows[r]?.[i] ?? null).length);
    return Math.round(Math.min(MAX_COL, Math.max(MIN_COL, chars * CHAR_PX + 24)));
  });
}

const GridCell = memo(function GridCell({ value, numeric }: { value: Cell; numeric: boolean }): ReactElement {
  if (value === null) {
    return (
      <div role="gridcell" className={`grid__cell grid__cell--null${numeric ? ' grid__cell--num' : ''}`}>
        null
      </div>
    );
  }
  const text = cellText(value);
  return (
    <div role="gridcell" className={`grid__cell${numeric ? ' grid__cell--num' : ''}${typeof value === 'boolean' ? ' grid__cell--bool' : ''}`} title={text.length > 24 ? text : undefined}>
      {text === '' ? <span className="grid__empty">empty</span> : text}
    </div>
  );
});

/** A request to bring a column into view; `seq` makes asking for the same column twice a new request. */
export interface ColumnJump {
  name: string;
  seq: number;
}

/**
 * `hidden`: column names left out (the column list's show/hide); `jump`: scroll that column into view, just
 * right of the frozen row-number column, and mark it.
 */
/**
 * `onTrace`: when given, each row number is a button asking where that row came from (`traced`: the row, from 0,
 * whose answer is open), so the question is reached with Tab like any control.
 */
export function DataGrid({ columns: all, rows: allRows, label, hidden, jump, onTrace, traced }: { columns: readonly Column[]; rows: readonly Cell[][]; label: string; hidden?: ReadonlySet<string>; jump?: ColumnJump | undefined; onTrace?: ((row: number) => void) | undefined; traced?: number | null | undefined }): ReactElement {
  const scroller = useRef<HTMLDivElement>(null);
  // Which of the result's columns are shown, by their index in each row.
  const shown = useMemo(() => all.flatMap((c, i) => (hidden?.has(c.name) ? [] : [i])), [all, hidden]);
  const columns = useMemo(() => shown.map((i) => all[i] as Column), [shown, all]);
  const rows = useMemo(() => (shown.length === all.length ? allRows : allRows.map((r) => shown.map((i) => r[i] ?? null))), [allRows, shown, all.length]);
  const widths = useMemo(() => columnWidths(columns, rows), [columns, rows]);
  const numeric = useMemo(() => columns.map((c) => isNumericType(c.type)), [columns]);
  // The column last jumped to stays marked, so the eye finds it among two hundred.
  const marked = jump?.name;
  useEffect(() => {
    if (!jump) return;
    const at = columns.findIndex((c) => c.name === jump.name);
    const el = scroller.current;
    if (at < 0 || !el) return;
    el.scrollLeft = widths.slice(0, at).reduce((a, b) => a + b, 0);
    // Only a new request moves the grid; re-renders with the same request do not.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [jump?.seq]);
  const template = `${INDEX_WIDTH}px ${widths.map((w) => `${w}px`).join(' ')}`;
  const totalWidth = INDEX_WIDTH + widths.reduce((a, b) => a + b, 0);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer's API returns fresh functions by design; this component is not memoised by the compiler.
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });

  return (
    <div className="grid" ref={scroller} role="grid" tabIndex={0} aria-label={label} aria-rowcount={rows.length + 1} aria-colcount={columns.length + 1} data-testid="preview-grid">
      <div className="grid__header" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template, width: totalWidth }}>
        <div role="columnheader" className="grid__head grid__head--index">
          #
        </div>
        {columns.map((c, i) => (
          <div role="columnheader" key={`${c.name}-${i}`} className={`grid__head${numeric[i] ? ' grid__head--num' : ''}${marked === c.name ? ' is-marked' : ''}`} title={`${c.name}: ${c.type}`} data-column={c.name}>
            <span className="grid__head-name">{c.name}</span>
            <span className="grid__head-type">{c.type}</span>
          </div>
        ))}
      </div>
      <div className="grid__body" style={{ height: virtualizer.getTotalSize(), width: totalWidth }}>
        {virtualizer.getVirtualItems().map((v) => {
          const row = rows[v.index] ?? [];
          return (
            <div
              key={v.key}
              role="row"
              aria-rowindex={v.index + 2}
              className={`grid__row${v.index % 2 === 1 ? ' grid__row--alt' : ''}`}
              style={{ transform: `translateY(${v.start}px)`, gridTemplateColumns: template, height: ROW_HEIGHT }}
            >
              <div role="rowheader" className="grid__cell grid__cell--index" data-testid="grid-row-number">
                {onTrace ? (
                  <button
                    type="button"
                    className={`grid__trace${traced === v.index ? ' is-open' : ''}`}
                    aria-label={`Row ${v.index + 1}: where did this come from?`}
                    title="Where did this come from?"
                    aria-pressed={traced === v.index}
                    onClick={() => onTrace(v.index)}
                    data-testid="preview-trace-row"
                  >
                    {v.index + 1}
                  </button>
                ) : (
                  v.index + 1
                )}
              </div>
              {columns.map((_, i) => (
                <GridCell key={i} value={row[i] ?? null} numeric={numeric[i] ?? false} />
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}
