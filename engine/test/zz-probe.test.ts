import { it, expect } from 'vitest';
import { run, chain, expectSucceeded } from './helpers.js';
it('probe', async () => {
  const csv = 'id,v\n' + Array.from({length: 20}, (_, i) => `${i},${i*2}`).join('\n') + '\n';
  for (let k = 0; k < 10; k++) {
    const t = performance.now();
    const r = await run(chain([
      { id: 's', kind: 'source.csv', config: { path: 'a.csv' } },
      { id: 'f', kind: 'filter', config: { expression: "v <> '4'" } },
      { id: 'd', kind: 'derive', config: { columns: [{ name: 'w', expression: 'v || id' }] } },
      { id: 'c', kind: 'cast', config: { types: { v: 'INTEGER' } } },
      { id: 'u', kind: 'deduplicate', config: { keys: ['v'] } },
      { id: 'k', kind: 'sink.csv', config: { path: 'out.csv' } },
    ]), { files: { 'a.csv': csv } });
    expectSucceeded(r);
    console.log('ms', performance.now() - t);
  }
});
