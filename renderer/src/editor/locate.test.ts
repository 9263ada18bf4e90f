import { describe, expect, it } from 'vitest';
import { locateProblem, mentionsText } from './locate';

const slice = (text: string, message: string) => {
  const span = locateProblem(text, message);
  return span && text.slice(span.start, span.end);
};

describe('locateProblem', () => {
  it('uses the parser position the engine appends, as a 1-based character', () => {
    expect(slice('amount > > 1', 'invalid expression: syntax error at or near ">" at character 10')).toBe('>');
    expect(slice('amount > 1 AND stauts', 'syntax error at character 16')).toBe('stauts');
  });

  it('marks the last character when the parser stopped past the end (a missing operand)', () => {
    expect(slice('amount >', 'syntax error at or near ")" at character 9')).toBe('>');
    expect(slice('amount >  ', 'syntax error at character 11')).toBe('>');
  });

  it('finds the name a binder error quotes, as a whole word and case-insensitively', () => {
    const msg = 'Binder Error: Referenced column "amout" not found in FROM clause! Candidate bindings: "amount"';
    expect(slice('amount > 1 AND amout < 5', msg)).toBe('amout');
    expect(slice('AMOUT + 1', msg)).toBe('AMOUT');
    expect(locateProblem('amounts > 1', msg)).toBeUndefined();
  });

  it('maps a LINE 1 caret into the field when the field text appears in the SQL DuckDB ran', () => {
    const msg = 'Parser Error: syntax error at or near ")"\n\nLINE 1: select (amount > ) from t\n                         ^';
    expect(slice('amount > ', msg)).toBe('>');
  });

  it('says nothing when the message does not point anywhere', () => {
    expect(locateProblem('amount > 1', 'must be a single expression')).toBeUndefined();
  });
});

describe('mentionsText', () => {
  it('is true only when a quoted name occurs in the text', () => {
    expect(mentionsText('amout > 1', 'Referenced column "amout" not found')).toBe(true);
    expect(mentionsText('amount > 1', 'Referenced column "amout" not found')).toBe(false);
  });
});
