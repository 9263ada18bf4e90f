import * as fs from 'node:fs';
import * as path from 'node:path';
const { RunStore } = await import('./dist/ops/store.js');
const { DuckDBInstance } = await import('@duckdb/node-api');
await (await DuckDBInstance.create(':memory:')).connect();
const src = process.argv[2];
const run = fs.readdirSync(src).find((x) => /^\d/.test(x));
const m = JSON.parse(fs.readFileSync(path.join(src, run, 'manifest.json'), 'utf8'));
const N = Number(process.argv[3] ?? 2000);
const dirs = {};
for (const mode of ['ck', 'wal']) {
  const dir = fs.mkdtempSync('/tmp/b18/ovh-big-');
  const s = await RunStore.open(dir); await s.ingest(Array.from({ length: N }, (_, i) => ({ manifest: { ...m, runId: `r${i}` }, fingerprint: 'x' })), []); s.close();
  dirs[mode] = dir;
}
const res = { ck: [], wal: [] };
for (let k = 0; k < 40; k++) for (const mode of ['ck', 'wal']) {
  const dir = dirs[mode];
  const id = `new${k}`;
  fs.mkdirSync(path.join(dir, id)); fs.writeFileSync(path.join(dir, id, 'manifest.json'), JSON.stringify({ ...m, runId: id }));
  const a = performance.now();
  const s = await RunStore.open(dir);
  await s.recordOne(id, { ...m, runId: id });
  const walFile = path.join(dir, 'runstore.duckdb.wal');
  if (mode === 'wal' && (fs.existsSync(walFile) ? fs.statSync(walFile).size : 0) < 256 * 1024) await s.rows('PRAGMA disable_checkpoint_on_shutdown');
  s.close();
  res[mode].push(performance.now() - a);
}
const med = (l) => [...l].sort((a, b) => a - b)[l.length >> 1];
for (const k of ['ck', 'wal']) console.log(k, 'median', med(res[k]).toFixed(1), 'first10', med(res[k].slice(0, 10)).toFixed(1), 'last10', med(res[k].slice(-10)).toFixed(1), 'wal', fs.existsSync(path.join(dirs[k], 'runstore.duckdb.wal')) ? fs.statSync(path.join(dirs[k], 'runstore.duckdb.wal')).size : 0);
