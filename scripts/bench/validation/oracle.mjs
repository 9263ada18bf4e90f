// An independent judge of the validation workload: plain JavaScript over the file's physical lines, no DuckDB and
// nothing shared with the engine. It says which line is quarantined for which rules, and what the clean rows add
// up to per day and country (in cents, exactly), so the engine and the hand-written SQL are both checked against
// the workload's definition rather than against each other or their own counters.
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { COUNTRIES, STATUSES } from './generate.mjs';

export const RULES = {
  order_id_required: 'order_id is missing',
  order_id_unique: 'order_id repeats an earlier row',
  customer_required: 'customer_id is missing',
  known_customer: 'customer_id is not a known customer',
  email_format: 'email is not an e-mail address',
  amount_decimal: 'amount is not a DECIMAL(12,2)',
  amount_nonnegative: 'amount is negative or not a number',
  country_known: 'country is not a known country',
  status_known: 'status is not a known status',
  created_at_format: 'created_at is not YYYY-MM-DD HH:MM:SS',
};

const EMAIL = /^[^@\s]+@[^@\s]+\.[a-z]+$/;
const DECIMAL = /^\s*[+-]?([0-9]+(\.[0-9]{0,2})?|\.[0-9]{1,2})\s*$/;
const NUMBER = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const TS = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function field(f) {
  const v = f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1).replaceAll('""', '"') : f;
  return v === '' ? null : v;
}

function timestampOk(v) {
  const m = TS.exec(v);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
}

function cents(v) {
  const neg = v.startsWith('-');
  const [i, f = ''] = v.replace(/^[+-]/, '').split('.');
  const c = Number(i || '0') * 100 + Number((f + '00').slice(0, 2));
  return neg ? -c : c;
}

/**
 * Judge `ordersFile` with the customer ids in `customersFile`. Returns `quarantine`: line number → sorted rule ids
 * ("malformed" and "blank_line" for lines that are not records), and `groups`: "YYYY-MM-DD|country" → {orders, cents}.
 */
export async function judge(ordersFile, customersFile) {
  const known = new Set(fs.readFileSync(customersFile, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]));
  const countries = new Set(COUNTRIES);
  const statuses = new Set(STATUSES);
  const seen = new SeenIds();
  const quarantine = new Map();
  const groups = new Map();
  let line = 0;
  let valid = 0;
  const rl = readline.createInterface({ input: fs.createReadStream(ordersFile), crlfDelay: Infinity });
  for await (const text of rl) {
    line++;
    if (line === 1) continue;
    if (text === '') {
      quarantine.set(line, 'blank_line');
      continue;
    }
    const raw = text.split(',');
    if (raw.length !== 8) {
      quarantine.set(line, 'malformed');
      continue;
    }
    const [orderId, customer, email, amount, country, status, createdAt] = raw.map(field);
    const failed = [];
    if (orderId === null) failed.push('order_id_required');
    else if (seen.has(orderId)) failed.push('order_id_unique');
    else seen.add(orderId);
    if (customer === null) failed.push('customer_required');
    else if (!known.has(customer)) failed.push('known_customer');
    if (email !== null && !EMAIL.test(email)) failed.push('email_format');
    const decimal = amount !== null && DECIMAL.test(amount) && amount.replace(/^\s*[+-]?/, '').split('.')[0].length <= 10;
    if (!decimal) failed.push('amount_decimal');
    if (amount !== null && (!NUMBER.test(amount) || Number(amount) < 0)) failed.push('amount_nonnegative');
    if (country !== null && !countries.has(country)) failed.push('country_known');
    if (status !== null && !statuses.has(status)) failed.push('status_known');
    if (createdAt === null || !timestampOk(createdAt)) failed.push('created_at_format');
    if (failed.length > 0) {
      quarantine.set(line, failed.sort().join('|'));
      continue;
    }
    valid++;
    const key = `${createdAt.slice(0, 10)}|${country}`;
    const g = groups.get(key) ?? { orders: 0, cents: 0 };
    g.orders++;
    g.cents += cents(amount);
    groups.set(key, g);
  }
  return { quarantine, groups, valid, lines: line };
}

/**
 * The order ids seen so far. A JavaScript Set holds at most 2^24 entries, too few for the 50 M-row run, so ids
 * written as plain numbers (no leading zero) are kept as bits in 1 MiB pages (any other id in a Set).
 */
class SeenIds {
  pages = new Map();
  other = new Set();
  has(id) {
    if (!/^[1-9][0-9]{0,14}$/.test(id)) return this.other.has(id);
    const n = Number(id);
    const page = this.pages.get(Math.floor(n / 2 ** 23));
    return page !== undefined && (page[(n % 2 ** 23) >> 3] & (1 << (n & 7))) !== 0;
  }
  add(id) {
    if (!/^[1-9][0-9]{0,14}$/.test(id)) return void this.other.add(id);
    const n = Number(id);
    const key = Math.floor(n / 2 ** 23);
    let page = this.pages.get(key);
    if (!page) this.pages.set(key, (page = new Uint8Array(2 ** 20)));
    page[(n % 2 ** 23) >> 3] |= 1 << (n & 7);
  }
}

/** Compare one run's quarantine ("line,rules" lines) and groups ("day,country,orders,cents" lines) with the oracle's. */
export function compare(oracle, run) {
  const problems = [];
  const q = new Map();
  for (const l of fs.readFileSync(run.quarantineCsv, 'utf8').split('\n')) {
    if (!l) continue;
    const [n, rules] = l.split(',');
    if (q.has(Number(n))) problems.push(`line ${n} quarantined twice`);
    q.set(Number(n), rules);
  }
  for (const [n, rules] of oracle.quarantine) {
    if (!q.has(n)) problems.push(`line ${n} (${rules}) not quarantined`);
    else if (q.get(n) !== rules) problems.push(`line ${n}: rules ${q.get(n)}, expected ${rules}`);
  }
  for (const [n, rules] of q) if (!oracle.quarantine.has(n)) problems.push(`line ${n} quarantined (${rules}) but valid`);
  const g = new Map();
  for (const l of fs.readFileSync(run.groupsCsv, 'utf8').split('\n')) {
    if (!l) continue;
    const [day, country, orders, c] = l.split(',');
    g.set(`${day}|${country}`, { orders: Number(orders), cents: Number(c) });
  }
  for (const [k, v] of oracle.groups) {
    const o = g.get(k);
    if (!o || o.orders !== v.orders || o.cents !== v.cents) problems.push(`group ${k}: ${o ? `${o.orders} orders, ${o.cents} cents` : 'missing'}, expected ${v.orders}, ${v.cents}`);
  }
  for (const k of g.keys()) if (!oracle.groups.has(k)) problems.push(`group ${k} should not exist`);
  return problems;
}
