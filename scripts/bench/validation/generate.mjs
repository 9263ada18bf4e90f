// The validation-heavy workload of issue 18: an 8-column orders CSV with ~0.02 % malformed lines (a field too
// many or too few), a few blank lines, and ~5 % dirty rows of the kinds real exports have (missing and quoted-empty
// fields, repeated order ids, unknown customers, bad e-mails, amounts that are negative, not numbers or too
// precise, unknown countries and statuses, timestamps in the wrong shape or impossible). Deterministic by seed.
import * as fs from 'node:fs';
import * as path from 'node:path';

function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'ES', 'IT', 'NL', 'PL'];
export const STATUSES = ['new', 'paid', 'shipped', 'cancelled'];
export const CUSTOMERS = 10_000;
const CHANNELS = ['web', 'store', 'app'];
const pad = (n, w = 2) => String(n).padStart(w, '0');

// One kind of dirt per call; a dirty row gets one, sometimes two.
const DIRT = [
  (f) => { f[0] = ''; },
  (f, prev) => { f[0] = prev; },
  (f) => { f[1] = ''; },
  (f) => { f[1] = '""'; },
  (f) => { f[1] = 'C99999'; },
  (f) => { f[2] = f[2].replaceAll('"', '').replace('@', '.'); },
  (f) => { f[2] = `${f[2].replaceAll('"', '')}@x.org`; },
  (f) => { f[3] = `-${f[3]}`; },
  (f) => { f[3] = `${f[3].slice(0, -1)}O`; },
  (f) => { f[3] = `${f[3]}5`; },
  (f) => { f[3] = ''; },
  (f) => { f[4] = 'XX'; },
  (f) => { f[4] = f[4].toLowerCase(); },
  (f) => { f[5] = 'lost'; },
  (f) => { f[6] = f[6].slice(0, 16); },
  (f) => { f[6] = f[6].slice(0, 10); },
  (f) => { f[6] = f[6].replace(' ', 'T'); },
  (f) => { f[6] = `${f[6].slice(0, 5)}02-30${f[6].slice(10)}`; },
  (f) => { f[6] = ''; },
];

export function generateOrders(dir, rows, { seed = 18 } = {}) {
  const rnd = lcg(seed);
  const customers = ['customer_id,segment'];
  for (let i = 1; i <= CUSTOMERS; i++) customers.push(`C${i},${i % 3 === 0 ? 'enterprise' : 'retail'}`);
  fs.writeFileSync(path.join(dir, 'customers.csv'), `${customers.join('\n')}\n`);
  const file = path.join(dir, 'orders.csv');
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'order_id,customer_id,email,amount,country,status,created_at,channel\n');
  const start = Date.UTC(2025, 0, 1);
  let batch = [];
  let bytes = 0;
  const counts = { malformed: 0, blank: 0, dirty: 0 };
  const flush = () => {
    const s = `${batch.join('\n')}\n`;
    bytes += Buffer.byteLength(s);
    fs.writeSync(fd, s);
    batch = [];
  };
  for (let i = 1; i <= rows; i++) {
    const cust = 1 + Math.floor(rnd() * CUSTOMERS);
    const t = new Date(start + Math.floor(rnd() * 90 * 86400) * 1000);
    const ts = `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
    const cents = 100 + Math.floor(rnd() * 99_900);
    const email = `user${cust}@example.com`;
    const f = [
      String(1_000_000 + i),
      `C${cust}`,
      rnd() < 0.01 ? `"${email}"` : email,
      `${Math.floor(cents / 100)}.${pad(cents % 100)}`,
      COUNTRIES[Math.floor(rnd() * COUNTRIES.length)],
      STATUSES[Math.floor(rnd() * STATUSES.length)],
      ts,
      CHANNELS[Math.floor(rnd() * CHANNELS.length)],
    ];
    const r = rnd();
    if (r < 0.05) {
      counts.dirty++;
      const prev = String(1_000_000 + Math.max(1, i - 1 - Math.floor(rnd() * 1000)));
      DIRT[Math.floor(rnd() * DIRT.length)](f, prev);
      if (rnd() < 0.2) DIRT[Math.floor(rnd() * DIRT.length)](f, prev);
    }
    let line = f.join(',');
    if (r >= 0.05 && r < 0.0502) {
      counts.malformed++;
      line = rnd() < 0.5 ? f.slice(0, 7).join(',') : `${line},extra`;
    }
    if (rnd() < 0.00005) {
      counts.blank++;
      batch.push('');
    }
    batch.push(line);
    if (batch.length >= 100_000) flush();
  }
  if (batch.length) flush();
  fs.closeSync(fd);
  return { file, bytes, rows, ...counts };
}
