// Marks config strings that hold DuckDB SQL, in the JSON Schema the catalog serves, so front ends can offer a
// code editor there. A hint only: the engine reads these fields like any other string and checks them itself.
export const EDITOR_HINT_KEY = 'x-sluice-editor';

/** A scalar expression over the input columns (filter condition, derived column, validation rule). */
export const SQL_EXPRESSION = { [EDITOR_HINT_KEY]: 'sql-expression' } as const;

/** A whole SELECT statement over the node's inputs. */
export const SQL_QUERY = { [EDITOR_HINT_KEY]: 'sql-query' } as const;

/**
 * What a string field holds, for the form's widget: a column of the input (a typed, searchable picker), a file
 * path, or a DuckDB type. Declared on the kind's zod schema and published in the catalog's JSON Schema.
 */
export const WIDGET_HINT_KEY = 'x-sluice-widget';
export const COLUMN = { [WIDGET_HINT_KEY]: 'column' } as const;
export const PATH = { [WIDGET_HINT_KEY]: 'path' } as const;
export const TYPE = { [WIDGET_HINT_KEY]: 'type' } as const;
