// Notes and groups in the pipeline file: optional, checked like the rest of the file, and ignored by the
// engine (they do not change the pipeline's hash, so editing a note neither makes another pipeline nor stops a resume).
import { describe, expect, it } from 'vitest';
import { parsePipelineText } from '@sluice/format/pipeline/load';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { serializePipeline } from '@sluice/format/pipeline/save';
import { pipelineHash } from '../src/runtime/run.js';

const base: Pipeline = {
  version: 1,
  name: 'p',
  params: {},
  nodes: [{ id: 'a', kind: 'filter', config: { expression: 'true' }, position: { x: 0, y: 0 } }],
  edges: [],
};

describe('annotations in the pipeline file', () => {
  it('loads notes and groups and saves them back unchanged', () => {
    const text = serializePipeline({ ...base, annotations: { notes: [{ id: 'n1', text: '# Hi <b>x</b>', position: { x: 1, y: 2 } }], groups: [{ id: 'g1', title: 'All', nodes: ['a'] }] } });
    const r = parsePipelineText(text);
    expect(r.problems).toEqual([]);
    expect(serializePipeline(r.pipeline!)).toBe(text);
  });

  it('names the field of a malformed note', () => {
    const r = parsePipelineText(JSON.stringify({ ...base, annotations: { notes: [{ id: 'n1', text: 'x', position: { x: 0, y: 0 }, html: '<b>' }] } }));
    expect(r.pipeline).toBeUndefined();
    expect(r.problems.map((p) => p.path).join(' ')).toContain('annotations');
  });

  it('leaves the pipeline hash alone', () => {
    const noted = { ...base, annotations: { notes: [{ id: 'n1', text: 'why', position: { x: 0, y: 0 } }], groups: [] } };
    expect(pipelineHash(noted)).toBe(pipelineHash(base));
    expect(pipelineHash({ ...base, name: 'q' })).not.toBe(pipelineHash(base));
  });
});
