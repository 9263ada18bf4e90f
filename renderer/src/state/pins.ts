// Pinned data of the open pipeline (its tests): what is pinned, the last test report, and the actions of the
// preview's "Pin this data" button and the Tests tab. Pins live beside the saved file on the engine's side
// (`NAME.tests/`), so they need a document that has a file; the engine does the work (EngineApi pinData etc.).
import { create } from 'zustand';
import type { Pins, PinTestReport } from '@sluice/format/api/pins-contract';
import { useDesigner } from '../store';
import { notify } from './toasts';

/** The saved file the open document belongs to, as the pin methods want it; undefined for an unsaved document. */
export function pinPlace(): { fileName: string; baseDir?: string } | undefined {
  const { origin } = useDesigner.getState();
  const name = origin.fileName?.split('/').pop();
  if (!name || !/\.json$/i.test(name) || name.startsWith('.')) return undefined;
  return { fileName: name, ...(origin.baseDir ? { baseDir: origin.baseDir } : {}) };
}

interface PinsState {
  /** The place `pins` were read for (file name and folder), so a switch of document reads them again. */
  placeKey: string | undefined;
  pins: Pins | undefined;
  report: PinTestReport | undefined;
  /** The node being pinned, or `test` while the tests run. */
  busy: string | undefined;
  error: string | undefined;
  load(): Promise<void>;
  pin(nodeId: string): Promise<void>;
  remove(nodeId: string): Promise<void>;
  test(): Promise<void>;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const keyOf = (p: ReturnType<typeof pinPlace>): string | undefined => (p ? `${p.baseDir ?? ''}\u0000${p.fileName}` : undefined);

export const usePins = create<PinsState>()((set, get) => ({
  placeKey: undefined,
  pins: undefined,
  report: undefined,
  busy: undefined,
  error: undefined,
  async load() {
    const api = useDesigner.getState().api;
    const place = pinPlace();
    if (!api || !place) {
      set({ placeKey: undefined, pins: undefined, report: undefined, error: undefined });
      return;
    }
    const key = keyOf(place);
    if (key !== get().placeKey) set({ placeKey: key, pins: undefined, report: undefined, error: undefined });
    try {
      const pins = await api.listPins(place);
      if (keyOf(pinPlace()) === key) set({ pins, error: undefined });
    } catch (e) {
      set({ error: message(e) });
    }
  },
  async pin(nodeId) {
    const s = useDesigner.getState();
    const place = pinPlace();
    if (!s.api || !place) return;
    set({ busy: nodeId, error: undefined });
    try {
      const pins = await s.api.pinData({ ...place, pipeline: s.toPipeline(), nodeId });
      set({ pins, placeKey: keyOf(place), report: undefined });
      const mine = pins.pins.find((p) => p.nodeId === nodeId)?.expected;
      notify({ tone: 'success', title: `Pinned ${nodeId}`, detail: `${mine ? `${mine.rows} rows, ${mine.quarantined} quarantined` : 'its data'} kept in ${pins.folder}/; the Tests tab and \`sluice test\` compare against it.` });
    } catch (e) {
      set({ error: message(e) });
      notify({ tone: 'error', title: `Could not pin ${nodeId}`, detail: message(e) });
    } finally {
      set({ busy: undefined });
    }
  },
  async remove(nodeId) {
    const api = useDesigner.getState().api;
    const place = pinPlace();
    if (!api || !place) return;
    try {
      set({ pins: await api.removePin({ ...place, nodeId }), report: undefined, error: undefined });
    } catch (e) {
      set({ error: message(e) });
    }
  },
  async test() {
    const s = useDesigner.getState();
    const place = pinPlace();
    if (!s.api || !place) return;
    set({ busy: 'test', error: undefined });
    try {
      set({ report: await s.api.testPins({ ...place, pipeline: s.toPipeline() }) });
    } catch (e) {
      set({ error: message(e), report: undefined });
    } finally {
      set({ busy: undefined });
    }
  },
}));
