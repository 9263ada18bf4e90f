// Loads Monaco once and registers what every SQL field shares: the themes and one completion provider that
// asks each editor's model which columns it should offer.
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import { completionEntries, paramCompletions, type CompletionSource } from './completion';

export type MonacoApi = typeof Monaco;

/** Per model (one per mounted editor): what to complete there. */
const sources = new Map<string, () => CompletionSource>();

export function setCompletionSource(model: Monaco.editor.ITextModel, source: () => CompletionSource): () => void {
  const key = model.uri.toString();
  sources.set(key, source);
  return () => {
    if (sources.get(key) === source) sources.delete(key);
  };
}

function cssVar(name: string): string {
  // Monaco wants #rrggbb; the theme tokens are hex already.
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Editor colours follow the app's theme tokens, so the editor sits in the form like the other inputs. */
export function applyTheme(monaco: MonacoApi, theme: 'light' | 'dark'): void {
  const name = `sluice-${theme}`;
  monaco.editor.defineTheme(name, {
    base: theme === 'dark' ? 'vs-dark' : 'vs',
    inherit: true,
    rules: [],
    colors: {
      'editor.background': cssVar('--bg-input') || (theme === 'dark' ? '#111113' : '#ffffff'),
      'editor.foreground': cssVar('--text') || (theme === 'dark' ? '#ececef' : '#18181b'),
      'editorLineNumber.foreground': cssVar('--text-subtle') || '#71717a',
      'editor.lineHighlightBackground': '#00000000',
      'editor.lineHighlightBorder': '#00000000',
      'editorError.foreground': cssVar('--danger') || '#dc2626',
    },
  });
  monaco.editor.setTheme(name);
}

let loading: Promise<MonacoApi> | undefined;

export function loadMonaco(): Promise<MonacoApi> {
  loading ??= import('./setup').then(({ monaco }) => {
    monaco.languages.registerCompletionItemProvider('sql', {
      // `${` asks for the pipeline's parameters at once.
      triggerCharacters: ['{'],
      provideCompletionItems(model, position) {
        const source = sources.get(model.uri.toString());
        if (!source) return { suggestions: [] };
        const before = model.getValueInRange(new monaco.Range(position.lineNumber, 1, position.lineNumber, position.column));
        const inParam = paramCompletions(before, source().params ?? []);
        if (inParam) {
          const range = new monaco.Range(position.lineNumber, position.column - inParam.typed.length, position.lineNumber, position.column);
          // A closing brace typed already (or added by the editor) is replaced, not doubled.
          const after = model.getValueInRange(new monaco.Range(position.lineNumber, position.column, position.lineNumber, position.column + 1));
          const full = after === '}' ? new monaco.Range(range.startLineNumber, range.startColumn, range.endLineNumber, range.endColumn + 1) : range;
          return {
            suggestions: inParam.entries.map((p, i) => ({
              label: { label: p.name, description: p.detail },
              kind: monaco.languages.CompletionItemKind.Variable,
              insertText: `${p.name}}`,
              detail: `parameter · ${p.detail}`,
              range: full,
              sortText: String(i).padStart(4, '0'),
            })),
          };
        }
        const word = model.getWordUntilPosition(position);
        const range = new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn);
        const K = monaco.languages.CompletionItemKind;
        const kinds = { column: K.Field, table: K.Struct, function: K.Function, keyword: K.Keyword } as const;
        const order = { column: '0', table: '1', function: '2', keyword: '3' } as const;
        return {
          suggestions: completionEntries(source()).map((e, i) => ({
            label: { label: e.label, description: e.detail },
            kind: kinds[e.group],
            insertText: e.insertText,
            detail: e.detail,
            range,
            sortText: `${order[e.group]}${String(i).padStart(4, '0')}`,
          })),
        };
      },
    });
    return monaco;
  });
  return loading;
}
