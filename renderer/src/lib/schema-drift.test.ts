import { describe, expect, it } from 'vitest';
import { schemaDrift } from './schema-drift';

const cols = (...xs: string[]) => xs.map((x) => ({ name: x.split(':')[0] as string, type: x.split(':')[1] as string }));

describe('schemaDrift', () => {
  it('says which columns were added, removed and retyped', () => {
    expect(schemaDrift(cols('id:BIGINT', 'amount:VARCHAR', 'old:DATE'), cols('id:BIGINT', 'amount:DECIMAL(18,2)', 'extra:VARCHAR'))).toBe(
      'added extra (VARCHAR); removed old; retyped amount VARCHAR → DECIMAL(18,2)',
    );
  });

  it('is silent when nothing changed, when only the order changed, or when either side is unknown', () => {
    expect(schemaDrift(cols('a:BIGINT', 'b:VARCHAR'), cols('a:BIGINT', 'b:VARCHAR'))).toBeUndefined();
    expect(schemaDrift(cols('a:BIGINT', 'b:VARCHAR'), cols('b:VARCHAR', 'a:BIGINT'))).toBeUndefined();
    expect(schemaDrift(undefined, cols('a:BIGINT'))).toBeUndefined();
    expect(schemaDrift(cols('a:BIGINT'), null)).toBeUndefined();
  });
});
