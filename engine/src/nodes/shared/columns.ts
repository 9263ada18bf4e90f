// Checks that columns a config names exist in the input, with a message that lists what does exist.
import { UserError } from '../../runtime/exec-context.js';

export function requireColumns(nodeId: string, field: string, wanted: string[], available: { name: string }[]): void {
  const names = available.map((c) => c.name);
  for (const w of wanted) {
    if (!names.includes(w)) {
      throw new UserError(`"${field}" names column "${w}", which the input does not have (it has ${names.join(', ') || 'no columns'})`, { nodeId, field });
    }
  }
}
