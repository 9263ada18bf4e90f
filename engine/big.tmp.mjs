import * as fs from 'node:fs';
import * as path from 'node:path';
const { RunStore } = await import('./dist/ops/store.js');
const { DuckDBInstance } = await import('@duckdb/node-api');
await (await DuckDBInstance.create(':memory:')).connect();
const src = process.argv[2];
const run = fs.readdirSync(src).find((x) => /^\d/.test(x));
const m = JSON.parse(fs.readFileSync(path.join(src, run, 'manifest.json'), 'utf8'));
const dir = fs.mkdtempSync('/tmp/b18/ovh-big-');
const N = Number(process.argv[3] ?? 2000);
{ const s = await RunStore.open(dir); await s.ingest(Array.from({ length: N }, (_, i) => ({ manifest: { ...m, runId: `r${i}` }, fingerprint: 'x' })), []); s.close(); }
console.log('store size', fs.statSync(path.join(dir, 'runstore.duckdb')).size);
for (let k = 0; k < 8; k++) {
  const id = `new${k}`;
  fs.mkdirSync(path.join(dir, id)); fs.writeFileSync(path.join(dir, id, 'manifest.json'), JSON.stringify({ ...m, runId: id }));
  const nock = process.argv[4] === 'nock';
  const a = performance.now();
  const s = await RunStore.open(dir);
  const b = performance.now();
  if (nock) await s.rows('PRAGMA disable_checkpoint_on_shutdown');
  await s.recordOne(id, { ...m, runId: id });
  const c = performance.now();
  s.close();
  const d = performance.now();
  const wal = fs.existsSync(path.join(dir, 'runstore.duckdb.wal')) ? fs.statSync(path.join(dir, 'runstore.duckdb.wal')).size : 0;
  console.log(`open ${(b - a).toFixed(1)} record ${(c - b).toFixed(1)} close ${(d - c).toFixed(1)} wal ${wal}`);
}
