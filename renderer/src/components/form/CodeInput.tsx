// SQL and expression fields: a Monaco editor (loaded on first use) with DuckDB SQL highlighting, the input's
// columns offered as completions, and the engine's complaints about this field marked where they point.
import { useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import { pathToString } from '@sluice/format/pipeline/problems';
import { paramHints, type CodeKind } from '../../editor/completion';
import { codeFieldMessages } from '../../editor/field-problems';
import { locateProblem } from '../../editor/locate';
import { applyTheme, loadMonaco, setCompletionSource, type MonacoApi } from '../../editor/monaco';
import type { Path } from '../../lib/immutable';
import { humanizeMessage } from '../../lib/problems';
import { usePreview } from '../../state/preview';
import { runPipelineNow } from '../../state/run';
import { useDesigner } from '../../store';
import { useFieldProblems, useForm } from './context';
import { SqlInput } from './inputs';

export interface CodeInputProps {
  id: string;
  value: unknown;
  path: Path;
  kind: CodeKind;
  required: boolean;
  invalid: boolean;
  label: string;
  onChange(value: unknown): void;
}

const LINE_HEIGHT = 18;
const PADDING = 6;

function useCodeMessages(path: Path, text: string): string[] {
  const { nodeId } = useForm();
  const checks = useFieldProblems(path);
  const field = pathToString(path);
  // Only the selected node's preview is on screen, and that is the node whose form this is.
  const error = usePreview((s) => (s.target?.requestNodeId === nodeId ? s.error : undefined));
  const metrics = usePreview((s) => (s.target?.requestNodeId === nodeId ? s.result?.metrics : undefined));
  return useMemo(
    () => codeFieldMessages({ nodeId, field, text, checks, previewProblems: error?.problems ?? [], metrics: metrics ?? [] }),
    [nodeId, field, text, checks, error, metrics],
  );
}

export function CodeInput(props: CodeInputProps): ReactElement {
  const { id, value, path, kind, required, invalid, label, onChange } = props;
  const { columns, inputs, nodeId } = useForm();
  const theme = useDesigner((s) => s.theme);
  const text = typeof value === 'string' ? value : '';
  const messages = useCodeMessages(path, text);
  const checks = useFieldProblems(path);
  // Validation problems are listed under the field by its frame; the preview's complaints are listed here.
  const extra = messages.filter((m) => !checks.some((p) => p.message === m));
  const host = useRef<HTMLDivElement>(null);
  const [monaco, setMonaco] = useState<MonacoApi | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  const editorRef = useRef<Monaco.editor.IStandaloneCodeEditor | undefined>(undefined);
  // Set while the editor shows a value from outside (undo, a reset): not an edit, so it is not written back as one
  // (it was: "Reset this node's settings" then Undo undid only that echo).
  const showing = useRef(false);
  // The editor's callbacks outlive renders; they read the newest props through this.
  const latest = useRef({ onChange, required, columns, inputs, kind });
  useEffect(() => {
    latest.current = { onChange, required, columns, inputs, kind };
  });

  useEffect(() => {
    let live = true;
    loadMonaco().then(
      (m) => live && setMonaco(m),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (!monaco || !host.current) return;
    applyTheme(monaco, useDesigner.getState().theme);
    const editor = monaco.editor.create(host.current, {
      value: text,
      language: 'sql',
      ariaLabel: label,
      placeholder: kind === 'sql-query' ? 'SELECT * FROM in1' : 'e.g. amount > 0',
      automaticLayout: true,
      minimap: { enabled: false },
      lineNumbers: kind === 'sql-query' ? 'on' : 'off',
      lineNumbersMinChars: 2,
      // Without line numbers, the decorations lane is the editor's left padding.
      lineDecorationsWidth: kind === 'sql-query' ? 6 : 8,
      folding: false,
      glyphMargin: false,
      scrollBeyondLastLine: false,
      wordWrap: 'on',
      wrappingIndent: 'same',
      renderLineHighlight: 'none',
      overviewRulerLanes: 0,
      hideCursorInOverviewRuler: true,
      overviewRulerBorder: false,
      scrollbar: { vertical: 'auto', horizontal: 'hidden', alwaysConsumeMouseWheel: false, verticalScrollbarSize: 8 },
      fontFamily: getComputedStyle(document.documentElement).getPropertyValue('--font-mono').trim() || 'monospace',
      fontSize: 12,
      lineHeight: LINE_HEIGHT,
      padding: { top: PADDING, bottom: PADDING },
      // Suggestions and hovers float above the side panel instead of being clipped by it.
      fixedOverflowWidgets: true,
      wordBasedSuggestions: 'off',
      quickSuggestions: { other: true, comments: false, strings: false },
      suggest: { showWords: false, preview: false },
      tabSize: 2,
      contextmenu: false,
      stickyScroll: { enabled: false },
      unicodeHighlight: { ambiguousCharacters: false },
    });
    editorRef.current = editor;
    const model = editor.getModel();
    const unsource = model
      ? setCompletionSource(model, () => ({ kind: latest.current.kind, columns: latest.current.columns, tables: latest.current.inputs, params: paramHints(useDesigner.getState().meta.params) }))
      : () => undefined;
    const changes = editor.onDidChangeModelContent(() => {
      if (showing.current) return;
      const next = editor.getValue();
      latest.current.onChange(next === '' && !latest.current.required ? undefined : next);
    });
    // The editor grows with its text, within bounds, like a text area.
    const fit = () => {
      const lines = kind === 'sql-query' ? [4, 16] : [1, 8];
      const h = Math.min(Math.max(editor.getContentHeight(), lines[0]! * LINE_HEIGHT + 2 * PADDING), lines[1]! * LINE_HEIGHT + 2 * PADDING);
      if (host.current) host.current.style.height = `${h}px`;
    };
    const sizes = editor.onDidContentSizeChange(fit);
    fit();
    // Running from inside the editor works as elsewhere; Monaco would otherwise insert a line.
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => void runPipelineNow());
    return () => {
      unsource();
      changes.dispose();
      sizes.dispose();
      editor.dispose();
      model?.dispose();
      editorRef.current = undefined;
    };
    // The editor is created once per field; value, theme and markers are synchronised by the effects below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [monaco]);

  // Undo, redo or an edit elsewhere changed the value: show it without disturbing typing that produced it.
  useEffect(() => {
    const editor = editorRef.current;
    if (!editor || editor.getValue() === text) return;
    showing.current = true;
    try {
      editor.setValue(text);
    } finally {
      showing.current = false;
    }
  }, [text, monaco]);

  useEffect(() => {
    if (monaco) applyTheme(monaco, theme);
  }, [monaco, theme]);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!monaco || !model) return;
    const current = model.getValue();
    const markers = messages.map((message) => {
      const span = locateProblem(current, message);
      const start = model.getPositionAt(span?.start ?? 0);
      const end = model.getPositionAt(span ? Math.max(span.end, span.start + 1) : current.length);
      return {
        severity: monaco.MarkerSeverity.Error,
        message: humanizeMessage(message),
        startLineNumber: start.lineNumber,
        startColumn: start.column,
        endLineNumber: end.lineNumber,
        endColumn: end.column,
      };
    });
    monaco.editor.setModelMarkers(model, 'sluice', markers);
  }, [monaco, messages, text]);

  if (failed) return <SqlInput id={id} value={value} schema={{}} required={required} invalid={invalid} label={label} onChange={onChange} />;
  return (
    <>
      <div
        ref={host}
        id={id}
        className={`code-input nokey${invalid || messages.length > 0 ? ' code-input--invalid' : ''}`}
        data-testid="code-input"
        data-code-kind={kind}
        data-node={nodeId}
        data-markers={messages.length}
        aria-busy={monaco ? undefined : true}
      >
        {!monaco && <pre className="code-input__loading">{text}</pre>}
      </div>
      {extra.length > 0 && (
        <ul className="field__errors" role="alert" data-testid="code-error">
          {extra.map((m) => (
            <li key={m} title={m}>
              {humanizeMessage(m)}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
