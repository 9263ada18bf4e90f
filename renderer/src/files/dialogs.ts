// The browser's stand-ins for native file dialogs: the host asks, a dialog component (FileDialogs) answers.
// One dialog at a time; a new request cancels a pending one.
import { create } from 'zustand';
import type { WorkspaceFile } from '@sluice/format/api/contract';

export type DialogRequest =
  | { kind: 'open'; root: string; files: WorkspaceFile[]; resolve(path: string | undefined): void }
  | {
      kind: 'saveAs';
      root: string;
      suggestedName: string;
      /** Folders that already hold files, offered as places to save. */
      files: WorkspaceFile[];
      /** Tries a name; answers a message to show (e.g. the name is taken) or undefined when saved. */
      submit(path: string, overwrite: boolean): Promise<{ error: string; exists?: boolean } | undefined>;
      resolve(done: boolean): void;
    };

interface DialogState {
  request: DialogRequest | undefined;
}

export const useFileDialog = create<DialogState>()(() => ({ request: undefined }));

function replace(next: DialogRequest): void {
  const pending = useFileDialog.getState().request;
  if (pending?.kind === 'open') pending.resolve(undefined);
  else if (pending?.kind === 'saveAs') pending.resolve(false);
  useFileDialog.setState({ request: next });
}

export function askForFile(root: string, files: WorkspaceFile[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    replace({
      kind: 'open',
      root,
      files,
      resolve: (path) => {
        useFileDialog.setState({ request: undefined });
        resolve(path);
      },
    });
  });
}

export function askForSaveName(root: string, suggestedName: string, files: WorkspaceFile[], submit: Extract<DialogRequest, { kind: 'saveAs' }>['submit']): Promise<boolean> {
  return new Promise((resolve) => {
    replace({
      kind: 'saveAs',
      root,
      suggestedName,
      files,
      submit,
      resolve: (done) => {
        useFileDialog.setState({ request: undefined });
        resolve(done);
      },
    });
  });
}

/** What the user typed, as a workspace path: trimmed, `/` separators, `.json` added when missing. */
export function normalizeSaveName(typed: string): string {
  const path = typed.trim().replace(/\\/g, '/').replace(/^\.\/+/, '');
  if (path === '' || /\.json$/i.test(path)) return path;
  return `${path}.json`;
}
