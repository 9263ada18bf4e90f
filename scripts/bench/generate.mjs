// Deterministic orders data with a known share of dirty rows of several kinds.
import * as fs from 'node:fs';
import * as path from 'node:path';

function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function generate(dir, rows) {
  const rnd = lcg(7);
  const countries = ['DE', 'FR', 'US', 'GB', 'ES', 'IT', 'NL'];
  const customers = ['customer_id,segment'];
  for (let i = 1; i <= 10000; i++) customers.push(`C${i},${i % 3 === 0 ? 'enterprise' : 'retail'}`);
  fs.writeFileSync(path.join(dir, 'customers.csv'), `${customers.join('\n')}\n`);
  const fd = fs.openSync(path.join(dir, 'orders.csv'), 'w');
  fs.writeSync(fd, 'order_id,customer_id,country,quantity,unit_price,status\n');
  const kinds = { ragged: 0, bad_number: 0, negative_qty: 0, unknown_customer: 0, missing_customer: 0 };
  let dirty = 0;
  let bytes = 0;
  let batch = [];
  for (let i = 1; i <= rows; i++) {
    const r = rnd();
    const cust = `C${1 + Math.floor(rnd() * 10000)}`;
    const country = countries[Math.floor(rnd() * countries.length)];
    const qty = 1 + Math.floor(rnd() * 9);
    const price = (1 + Math.floor(rnd() * 9999) / 100).toFixed(2);
    let line = `${i},${cust},${country},${qty},${price},shipped`;
    if (r < 0.002) { line = `${i},${cust},${country},${qty}`; kinds.ragged++; dirty++; }
    else if (r < 0.004) { line = `${i},${cust},${country},${qty},12,5O,shipped`.replace('12,5O', '12.5O'); kinds.bad_number++; dirty++; }
    else if (r < 0.006) { line = `${i},${cust},${country},-${qty},${price},shipped`; kinds.negative_qty++; dirty++; }
    else if (r < 0.008) { line = `${i},X${cust},${country},${qty},${price},shipped`; kinds.unknown_customer++; dirty++; }
    else if (r < 0.010) { line = `${i},,${country},${qty},${price},shipped`; kinds.missing_customer++; dirty++; }
    batch.push(line);
    if (batch.length === 100000) {
      const s = `${batch.join('\n')}\n`;
      bytes += s.length;
      fs.writeSync(fd, s);
      batch = [];
    }
  }
  if (batch.length) {
    const s = `${batch.join('\n')}\n`;
    bytes += s.length;
    fs.writeSync(fd, s);
  }
  fs.closeSync(fd);
  return { bytes, dirty, kinds, blank: 0 };
}
