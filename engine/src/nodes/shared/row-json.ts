// A row's values as JSON text for quarantine storage: exact (numbers keep their digits) and schema-free.
import { qi } from '../../sql/quote.js';

export function rowJsonSql(columns: string[], alias?: string): string {
  if (columns.length === 0) return `'{}'`;
  const ref = (c: string) => (alias ? `${alias}.${qi(c)}` : qi(c));
  return `to_json(struct_pack(${columns.map((c) => `${qi(c)} := ${ref(c)}`).join(', ')}))::VARCHAR`;
}
