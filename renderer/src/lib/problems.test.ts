import { describe, expect, it } from 'vitest';
import { configFieldOf, essentialProblems, fieldLabel, humanizeMessage, placeProblems } from './problems';

describe('placing problems', () => {
  const problems = [
    { path: 'nodes[2].config.rules[0].column', nodeId: 'checks', field: 'rules[0].column', message: 'Invalid input: expected string, received undefined' },
    { path: 'nodes[2].config.rules[0].column', nodeId: 'checks', field: 'rules[0].column', message: 'another' },
    { path: 'nodes[4]', nodeId: 'f', field: 'in', message: 'input "in" of node "f" is not connected' },
    { path: 'edges', message: 'the graph has a cycle' },
  ];

  it('puts config problems on fields, node problems on nodes, and the rest on the pipeline', () => {
    const placed = placeProblems(problems);
    expect(placed.byNode.get('checks')?.fields.get('rules[0].column')).toHaveLength(2);
    expect(placed.byNode.get('checks')?.total).toBe(1);
    expect(placed.byNode.get('f')?.node).toHaveLength(1);
    expect(placed.general).toHaveLength(1);
  });

  it('reads the config path whatever the node index', () => {
    expect(configFieldOf({ path: 'nodes[12].config.types.qty', message: '' })).toBe('types.qty');
    expect(configFieldOf({ path: 'nodes[1].config', message: '' })).toBe('');
    expect(configFieldOf({ path: 'nodes[1].kind', message: '' })).toBeUndefined();
  });
});

describe('humanizeMessage', () => {
  it('rewords zod messages', () => {
    expect(humanizeMessage('Invalid input: expected string, received undefined')).toBe('Required');
    expect(humanizeMessage('Too small: expected string to have >=1 characters')).toBe('Must not be empty');
    expect(humanizeMessage('Too small: expected array to have >=1 items')).toBe('Add at least one');
    expect(humanizeMessage('Invalid input: expected int, received number')).toBe('Expected a whole number, not a number');
    expect(humanizeMessage('Invalid option: expected one of "a"|"b"')).toBe('Choose one of "a", "b"');
    expect(humanizeMessage('input "in" is not connected')).toBe('Input "in" is not connected');
  });

  it('keeps only "empty" when a field is empty', () => {
    const empty = { path: 'x', message: 'Too small: expected string to have >=1 characters' };
    const pattern = { path: 'x', message: 'letters, digits' };
    expect(essentialProblems([pattern, empty])).toEqual([empty]);
    expect(essentialProblems([pattern])).toEqual([pattern]);
  });
});

describe('field labels', () => {
  it('numbers items from 1, as the form does (rule 2 is rules[1])', () => {
    expect(fieldLabel('rules[1].pattern')).toBe('Rules › 2 › Pattern');
    expect(fieldLabel('columns[0].expression')).toBe('Columns › 1 › Expression');
  });
});
