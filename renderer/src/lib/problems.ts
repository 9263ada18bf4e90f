// Placing the engine's validation problems: on a config field, on a node, or on the pipeline as a whole.
import type { Problem } from '@sluice/format/pipeline/problems';
import { humanizeKey } from './schema';

export interface NodeProblems {
  /** Problems of one config field, keyed like `rules[0].column` (the engine's pathToString of the config path). */
  fields: Map<string, Problem[]>;
  /** Problems of the node that no single config field owns (an unconnected input, an unknown kind…). */
  node: Problem[];
  /** Places with a problem: each field counts once, however many of its rules it breaks. */
  total: number;
}

export interface PlacedProblems {
  byNode: Map<string, NodeProblems>;
  /** Problems of the document itself (a cycle, a parameter, an edge to nowhere). */
  general: Problem[];
}

const CONFIG_PATH = /^nodes\[\d+\]\.config(.*)$/;

/** `nodes[2].config.rules[0].column` → `rules[0].column`; `nodes[2].config` → `` (the config as a whole). */
export function configFieldOf(p: Problem): string | undefined {
  const m = CONFIG_PATH.exec(p.path);
  if (!m) return undefined;
  return (m[1] ?? '').replace(/^\./, '');
}

/**
 * A config path as the form shows it: `rules[1].pattern` → "Rules › 2 › Pattern". Items are numbered from 1,
 * as the form numbers them (the engine's paths count from 0).
 */
export function fieldLabel(field: string): string {
  return field
    .split(/[.[\]]/)
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? String(Number(part) + 1) : humanizeKey(part)))
    .join(' › ');
}

export function placeProblems(problems: readonly Problem[]): PlacedProblems {
  const byNode = new Map<string, NodeProblems>();
  const general: Problem[] = [];
  for (const p of problems) {
    if (!p.nodeId) {
      general.push(p);
      continue;
    }
    let entry = byNode.get(p.nodeId);
    if (!entry) {
      entry = { fields: new Map(), node: [], total: 0 };
      byNode.set(p.nodeId, entry);
    }
    const field = configFieldOf(p);
    if (field) {
      const list = entry.fields.get(field) ?? [];
      list.push(p);
      entry.fields.set(field, list);
    } else entry.node.push(p);
  }
  for (const entry of byNode.values()) entry.total = entry.fields.size + entry.node.length;
  return { byNode, general };
}

/**
 * zod's wording is written for developers ("Invalid input: expected string, received undefined"); the form
 * says the same thing the way a user would read it next to a field.
 */
export function humanizeMessage(message: string): string {
  if (/^Invalid input: expected \w+, received undefined$/.test(message)) return 'Required';
  let m = /^Too small: expected string to have >=(\d+) characters?$/.exec(message);
  if (m) return m[1] === '1' ? 'Must not be empty' : `Needs at least ${m[1]} characters`;
  m = /^Too big: expected string to have <=(\d+) characters?$/.exec(message);
  if (m) return `At most ${m[1]} characters`;
  m = /^Too small: expected array to have >=(\d+) items?$/.exec(message);
  if (m) return m[1] === '1' ? 'Add at least one' : `Add at least ${m[1]}`;
  m = /^Too small: expected number to be >=(-?[\d.]+)$/.exec(message);
  if (m) return `Must be at least ${m[1]}`;
  m = /^Too big: expected number to be <=(-?[\d.]+)$/.exec(message);
  if (m) return `Must be at most ${m[1]}`;
  m = /^Invalid input: expected (\w+), received (\w+)$/.exec(message);
  if (m) return `Expected ${m[1] === 'int' ? 'a whole number' : `a ${m[1]}`}, not a ${m[2]}`;
  if (/^Invalid option: expected one of /.test(message)) return message.replace(/^Invalid option: expected one of /, 'Choose one of ').replaceAll('"|"', '", "');
  if (/^Unrecognized key/.test(message)) return message.replace(/^Unrecognized keys?: /, 'Not a setting of this node: ');
  return message.charAt(0).toUpperCase() + message.slice(1);
}

const EMPTY = new Set(['Required', 'Must not be empty']);

/** An empty field breaks its other rules too (a pattern, a length); saying it is empty is enough. */
export function essentialProblems(problems: readonly Problem[]): Problem[] {
  const empty = problems.find((p) => EMPTY.has(humanizeMessage(p.message)));
  return empty ? [empty] : [...problems];
}
