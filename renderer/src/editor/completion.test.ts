import { describe, expect, it } from 'vitest';
import { completionEntries, paramCompletions, paramHints, paramValueOptions, sqlIdentifier } from './completion';

describe('sqlIdentifier', () => {
  it('leaves plain lower-case names bare and quotes everything else', () => {
    expect(sqlIdentifier('amount')).toBe('amount');
    expect(sqlIdentifier('Order Date')).toBe('"Order Date"');
    expect(sqlIdentifier('order')).toBe('"order"');
    expect(sqlIdentifier('say "hi"')).toBe('"say ""hi"""');
  });
});

describe('completionEntries', () => {
  const columns = [
    { name: 'amount', type: 'DECIMAL(18,2)' },
    { name: 'Country', type: 'VARCHAR' },
  ];

  it('offers the input columns first, with their types', () => {
    const entries = completionEntries({ kind: 'sql-expression', columns, tables: ['in1'] });
    expect(entries.slice(0, 2)).toEqual([
      { label: 'amount', insertText: 'amount', detail: 'DECIMAL(18,2)', group: 'column' },
      { label: 'Country', insertText: '"Country"', detail: 'VARCHAR', group: 'column' },
    ]);
    expect(entries.some((e) => e.group === 'table')).toBe(false);
  });

  it('offers the input tables only in a query', () => {
    const entries = completionEntries({ kind: 'sql-query', columns: [], tables: ['in1', 'in2'] });
    expect(entries.filter((e) => e.group === 'table').map((e) => e.label)).toEqual(['in1', 'in2']);
  });
});

describe('${param} completion', () => {
  const params = paramHints({ min_quantity: { type: 'number', default: '1' }, region: { description: 'sales region' }, run_date: { type: 'date' } });

  it('offers the parameters after ${, filtered by what is typed there, each closing its brace', () => {
    expect(paramCompletions('quantity >= ${', params)?.entries.map((p) => p.name)).toEqual(['min_quantity', 'region', 'run_date']);
    expect(paramCompletions('quantity >= ${mi', params)).toEqual({ typed: 'mi', entries: [{ name: 'min_quantity', detail: 'number · default 1' }] });
    expect(paramCompletions('quantity >= $', params)).toBeUndefined();
    expect(paramCompletions('${region} and x', params)).toBeUndefined();
  });

  it('completes a plain text field in place, with what each parameter is', () => {
    expect(paramValueOptions('out/${r', params)).toEqual([
      { value: 'out/${region}', label: 'text · asked at run · sales region' },
      { value: 'out/${run_date}', label: 'date · asked at run' },
    ]);
    expect(paramValueOptions('out/result.csv', params)).toEqual([]);
  });
});
