// Menu actions of the desktop shell carried out on the real store, with pipeline files in a scripted FileHost.
import { beforeEach, describe, expect, it } from 'vitest';
import type { NodeKindInfo } from '@sluice/format/api/contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { serializePipeline } from '@sluice/format/pipeline/save';
import { useDesigner } from '../store';
import type { FileHost, PipelineFileRef } from '../lib/file-host';
import { hostFileHandlers, isDirty, menuActionRunner } from './shell-menu';

const filter: NodeKindInfo = {
  kind: 'filter',
  category: 'transform',
  title: 'Filter',
  description: '',
  inputs: [{ name: 'in', title: 'Input', role: 'data' }],
  outputs: [{ name: 'out', title: 'Kept', role: 'data' }],
  configSchema: {},
  version: 1,
  traits: { rows: 'row-wise', replay: 'passes', counts: 'balanced' },
  defaults: { expression: 'true' },
};
const doc = (name: string): Pipeline => ({ version: 1, name, params: {}, nodes: [{ id: 'a', kind: 'filter', config: { expression: 'x > 1' }, position: { x: 0, y: 0 } }], edges: [] });

/** A FileHost over an in-memory disk; `picks` are the paths the user chooses in dialogs (undefined: cancel). */
function memoryHost(disk: Map<string, string>, picks: (string | undefined)[]) {
  const calls: string[] = [];
  const ref = (path: string): PipelineFileRef => ({ path, name: path.slice(path.lastIndexOf('/') + 1) });
  const host: FileHost = {
    kind: 'electron',
    async open() {
      const p = picks.shift();
      calls.push(`open ${p}`);
      return p ? { ref: ref(p), text: disk.get(p) ?? '' } : undefined;
    },
    async read(r) {
      calls.push(`read ${r.path}`);
      const text = disk.get(r.path);
      if (text === undefined) throw new Error(`${r.path} does not exist`);
      return text;
    },
    async save(r, text) {
      calls.push(`save ${r.path}`);
      disk.set(r.path, text);
      return r;
    },
    async saveAs(name, text) {
      const p = picks.shift();
      calls.push(`saveAs ${name} -> ${p}`);
      if (!p) return undefined;
      disk.set(p, text);
      return ref(p);
    },
    async recent() {
      return [];
    },
  };
  return { host, calls };
}

const s = () => useDesigner.getState();
let closed = 0;
const edits: string[] = [];
const shell = { confirmClose: () => void closed++, nativeEdit: (c: string) => void edits.push(c) };

beforeEach(() => {
  closed = 0;
  edits.length = 0;
  s().setCatalog({ engineVersion: 't', kinds: [filter] });
  s().loadPipeline(doc('start'));
  s().setStatus('ready');
});

describe('menu actions in the desktop app', () => {
  it('opens a file from the OS with its own folder as the base for relative paths, then saves back to it', async () => {
    const disk = new Map([['/work/p/orders.sluice', serializePipeline(doc('Orders'))]]);
    const { host, calls } = memoryHost(disk, []);
    const run = menuActionRunner(hostFileHandlers(host), shell);
    await run({ type: 'open-file', path: '/work/p/orders.sluice' });
    expect(s().meta.name).toBe('Orders');
    expect(s().origin).toEqual({ fileName: 'orders.sluice', baseDir: '/work/p' });
    s().setMeta({ name: 'Orders v2' });
    expect(isDirty()).toBe(true);
    await run({ type: 'save' });
    expect(calls).toEqual(['read /work/p/orders.sluice', 'save /work/p/orders.sluice']);
    expect(JSON.parse(disk.get('/work/p/orders.sluice') ?? '{}')).toMatchObject({ name: 'Orders v2' });
    expect(isDirty()).toBe(false);
  });

  it('asks where to save a document that has no file yet, and closes after save-and-close only once saved', async () => {
    const disk = new Map<string, string>();
    const { host, calls } = memoryHost(disk, [undefined, '/w/new.sluice']);
    const run = menuActionRunner(hostFileHandlers(host), shell);
    s().setMeta({ name: 'Fresh' });
    await run({ type: 'save-and-close' });
    expect(calls).toEqual(['saveAs fresh.pipeline.json -> undefined']);
    expect(closed).toBe(0);
    await run({ type: 'save-and-close' });
    expect(disk.has('/w/new.sluice')).toBe(true);
    expect(closed).toBe(1);
  });

  it('refuses a file that is not a pipeline and keeps the current document', async () => {
    const { host } = memoryHost(new Map([['/w/notes.json', '{"hello": 1}']]), ['/w/notes.json']);
    await menuActionRunner(hostFileHandlers(host), shell)({ type: 'open' });
    expect(s().meta.name).toBe('start');
  });

  it('edits the graph with undo, redo, copy and paste when no text field has focus, else the field through the shell', async () => {
    // The little of the DOM that deciding "is a text field focused" reads.
    class FakeElement {
      constructor(
        readonly tagName: string,
        readonly isContentEditable = false,
      ) {}
    }
    const dom = { activeElement: null as FakeElement | null };
    Object.assign(globalThis, { HTMLElement: FakeElement, document: dom, window: { getSelection: () => null } });
    const run = menuActionRunner(hostFileHandlers(memoryHost(new Map(), []).host), shell);
    s().setMeta({ name: 'changed' });
    await run({ type: 'undo' });
    expect(s().meta.name).toBe('start');
    await run({ type: 'redo' });
    expect(s().meta.name).toBe('changed');
    s().selectOnly('a');
    await run({ type: 'copy' });
    await run({ type: 'paste' });
    expect(s().nodes).toHaveLength(2);
    expect(edits).toEqual([]);
    dom.activeElement = new FakeElement('INPUT');
    for (const type of ['undo', 'redo', 'copy', 'paste'] as const) await run({ type });
    expect(edits).toEqual(['undo', 'redo', 'copy', 'paste']);
    expect(s().nodes).toHaveLength(2);
    for (const k of ['HTMLElement', 'document', 'window']) Reflect.deleteProperty(globalThis, k);
  });
});
