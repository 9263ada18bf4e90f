// The run history store: one folder per run holding its manifest and quarantine files.
import { capRowJson, capText, MAX_DISPLAY_CHARS, MAX_MESSAGE_CHARS } from '../display-cap.js';
import * as path from 'node:path';
import type { QuarantineEntry, QuarantinePage } from '@sluice/format/api/contract';
import { qlit } from '../../sql/quote.js';
import { UserError } from '../exec-context.js';
import { Database } from '../../db/database.js';

// The list of runs lives with the other record files (run-records.ts), which the supervisor loads without DuckDB.
export { getRun, listRuns } from './run-records.js';
import { getRun } from './run-records.js';

export async function quarantinePage(
  historyDir: string,
  req: { runId: string; nodeId: string; rule?: string | undefined; offset: number; limit: number },
): Promise<QuarantinePage> {
  const run = getRun(historyDir, req.runId);
  const rel = run.quarantine[req.nodeId];
  if (!run.nodes.some((n) => n.nodeId === req.nodeId)) throw new UserError(`run ${run.runId} has no node "${req.nodeId}"`);
  if (!rel) return { total: 0, byRule: {}, entries: [] };
  const runDir = path.join(historyDir, run.runId);
  const file = path.join(runDir, rel);
  const db = await Database.open({ allowedDirs: [runDir], tempDir: runDir });
  try {
    const src = `read_parquet(${qlit(file)})`;
    const byRuleRows = await db.rows(`SELECT r AS rule, count(*) AS n FROM (SELECT unnest(rule_ids) AS r FROM ${src}) GROUP BY r ORDER BY n DESC, r`);
    const byRule: Record<string, number> = {};
    for (const r of byRuleRows) Object.defineProperty(byRule, String(r['rule']), { value: Number(r['n']), enumerable: true });
    const where = req.rule ? 'WHERE list_contains(rule_ids, $rule)' : '';
    const params: Record<string, string> = req.rule ? { rule: req.rule } : {};
    const total = await db.count(`SELECT count(*) FROM ${src} ${where}`, params);
    const rows = await db.rawRows(
      `SELECT ${QUARANTINE_ENTRY_COLUMNS} FROM ${src} ${where} LIMIT ${req.limit} OFFSET ${req.offset}`,
      params,
    );
    return { total, byRule, entries: rows.map(toEntry) };
  } finally {
    db.close();
  }
}

/** The quarantine table's columns as `toEntry` reads them (reasons and rule ids as JSON text). */
export const QUARANTINE_ENTRY_COLUMNS = 'lineage, source_line, to_json(rule_ids)::VARCHAR AS rule_ids, to_json(reasons)::VARCHAR AS reasons, row_json, raw';

export function toEntry(r: Record<string, unknown>): QuarantineEntry {
  const raw = r['raw'];
  return {
    lineage: String(r['lineage']),
    sourceLine: r['source_line'] === null || r['source_line'] === undefined ? null : Number(r['source_line']),
    ruleIds: JSON.parse(String(r['rule_ids'])) as string[],
    // Shown, not replayed: long values are capped here; the quarantine file keeps them whole.
    reasons: (JSON.parse(String(r['reasons'])) as string[]).map((x) => capText(x, MAX_MESSAGE_CHARS)),
    row: typeof r['row_json'] === 'string' ? capRowJson(r['row_json']) : null,
    raw: raw instanceof Uint8Array ? capText(new TextDecoder('utf-8', { fatal: false }).decode(raw), MAX_DISPLAY_CHARS, 'the exact bytes are in the quarantine file') : raw === null || raw === undefined ? null : capText(String(raw)),
  };
}
