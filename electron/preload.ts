// The only bridge between the page and the app: a narrow, typed API on `window.sluice` (contextBridge, so the
// page never sees ipcRenderer). Bundled to one CommonJS file because a sandboxed preload cannot load modules.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { channelFor, type IpcReply } from '@sluice/format/api/ipc';
import { ENGINE_METHODS, MENU_CHANNEL, RUN_FOLLOW_CHANNEL, RUN_STATUS_CHANNEL, SHELL_CHANNELS, menuActionSchema, type MenuAction, type SluiceBridge } from './bridge.js';

const known = new Set<string>(ENGINE_METHODS);

const bridge: SluiceBridge = {
  engine: {
    methods: ENGINE_METHODS,
    invoke(method, input) {
      // Only the contract's channels are reachable from here; main checks the method and arguments again.
      if (!known.has(method)) return Promise.resolve<IpcReply>({ ok: false, error: { code: 'not_found', message: `unknown engine method "${method}"` } });
      return ipcRenderer.invoke(channelFor(method as (typeof ENGINE_METHODS)[number]), input) as Promise<IpcReply>;
    },
    followRun(jobId, listener) {
      const handler = (_e: IpcRendererEvent, id: unknown, status: unknown) => {
        if (id === jobId) listener(status);
      };
      ipcRenderer.on(RUN_STATUS_CHANNEL, handler);
      ipcRenderer.send(RUN_FOLLOW_CHANNEL, String(jobId));
      return () => {
        ipcRenderer.removeListener(RUN_STATUS_CHANNEL, handler);
      };
    },
  },
  files: {
    openDialog: () => ipcRenderer.invoke(SHELL_CHANNELS.openDialog),
    read: (ref) => ipcRenderer.invoke(SHELL_CHANNELS.read, ref),
    save: (ref, text) => ipcRenderer.invoke(SHELL_CHANNELS.save, ref, text),
    saveAsDialog: (name, text) => ipcRenderer.invoke(SHELL_CHANNELS.saveAsDialog, name, text),
    recent: () => ipcRenderer.invoke(SHELL_CHANNELS.recent),
  },
  onMenu(listener) {
    const handler = (_e: IpcRendererEvent, payload: unknown) => {
      const action = menuActionSchema.safeParse(payload);
      if (action.success) listener(action.data as MenuAction);
    };
    ipcRenderer.on(MENU_CHANNEL, handler);
    ipcRenderer.send(SHELL_CHANNELS.menuReady);
    return () => {
      ipcRenderer.removeListener(MENU_CHANNEL, handler);
    };
  },
  setDocumentState(state) {
    ipcRenderer.send(SHELL_CHANNELS.setDocumentState, { dirty: state.dirty, title: state.title });
  },
  confirmClose() {
    ipcRenderer.send(SHELL_CHANNELS.closeConfirmed);
  },
  nativeEdit(command) {
    ipcRenderer.send(SHELL_CHANNELS.nativeEdit, command);
  },
};

contextBridge.exposeInMainWorld('sluice', bridge);
