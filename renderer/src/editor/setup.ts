// The Monaco editor, loaded on first use (its own chunk): only the editor core, the SQL grammar and the few
// editing features the config form needs, bundled locally; nothing comes from a CDN.
import { installStyleNonce } from './csp-nonce';

installStyleNonce();

// Side-effect imports after the nonce shim: Monaco creates its first style elements while these load.
const [monaco, { default: EditorWorker }] = await Promise.all([
  import('monaco-editor/editor/editor.api.js'),
  import('monaco-editor/editor/editor.worker.js?worker'),
  import('monaco-editor/languages/definitions/sql/register.js'),
  import('monaco-editor/editor/contrib/suggest/browser/suggestController.js'),
  import('monaco-editor/editor/contrib/hover/browser/hoverContribution.js'),
  import('monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching.js'),
  import('monaco-editor/editor/contrib/clipboard/browser/clipboard.js'),
  import('monaco-editor/editor/contrib/comment/browser/comment.js'),
  import('monaco-editor/editor/contrib/cursorUndo/browser/cursorUndo.js'),
  import('monaco-editor/editor/contrib/linesOperations/browser/linesOperations.js'),
  import('monaco-editor/editor/contrib/wordOperations/browser/wordOperations.js'),
  import('monaco-editor/editor/contrib/multicursor/browser/multicursor.js'),
  import('monaco-editor/editor/contrib/placeholderText/browser/placeholderText.contribution.js'),
]);

// One editor worker (diffing, word ranges); SQL has no language worker.
self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

export { monaco };
