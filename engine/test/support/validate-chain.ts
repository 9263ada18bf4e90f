// A three-node pipeline (CSV source, one not-null rule, CSV sink) and its input, for tests that need a real run
// across a transport (IPC, the Electron engine link) rather than any node's behaviour.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Three rows, the second failing the rule. */
export const VALIDATE_CHAIN_INPUT = 'id,v\n1,a\n2,\n3,c\n';

export function validateChainPipeline(name: string) {
  return {
    version: 1,
    name,
    nodes: [
      { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
      { id: 'check', kind: 'validate', config: { rules: [{ id: 'v_required', type: 'not_null', column: 'v' }] } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
    ],
    edges: [
      { from: { node: 'src', port: 'out' }, to: { node: 'check', port: 'in' } },
      { from: { node: 'check', port: 'valid' }, to: { node: 'out', port: 'in' } },
    ],
  };
}

export function writeValidateChainInput(dir: string): void {
  fs.writeFileSync(path.join(dir, 'in.csv'), VALIDATE_CHAIN_INPUT);
}
