// Where pipeline files live: the workspace folder of `sluice serve` in a browser, native dialogs in Electron.
// Only the interfaces live here (the hosts are in files/), so the store can hold a host without importing files/.
export interface PipelineFileRef {
  /** Workspace-relative path in the browser; absolute path in Electron. */
  path: string;
  /** File name shown in the title bar and recent list. */
  name: string;
}

export interface FileHost {
  readonly kind: 'browser' | 'electron';
  /** Let the user pick a pipeline file; undefined when they cancel. */
  open(): Promise<{ ref: PipelineFileRef; text: string } | undefined>;
  /** Open a known file (e.g. from the recent list or the command line). */
  read(ref: PipelineFileRef): Promise<string>;
  /** Overwrite a file the user already chose. */
  save(ref: PipelineFileRef, text: string): Promise<PipelineFileRef>;
  /** Let the user choose where to save; undefined when they cancel. */
  saveAs(suggestedName: string, text: string): Promise<PipelineFileRef | undefined>;
  /** Most recent first. */
  recent(): Promise<PipelineFileRef[]>;
}

export interface FileHostBinding {
  host: FileHost;
  /** The folder a file's relative data paths resolve in, as the engine should be told (`baseDir`). */
  baseDirOf(ref: PipelineFileRef): Promise<string>;
  /** The host's reference for a file the engine named by absolute path (the pipeline `sluice serve` opened). */
  refFor(absolutePath: string): Promise<PipelineFileRef | undefined>;
}
