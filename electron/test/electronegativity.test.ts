// Electronegativity (Doyensec's Electron security scanner) over the shell and the renderer. It exits 0 even with
// HIGH findings, so its report is read here: any HIGH finding not excused in electron/electronegativity-exceptions.json
// fails, and so does an excuse that no longer matches a finding. It runs offline: its translation download and
// its Electron release check (a network lookup) are skipped or fail fast.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '@sluice/engine/test/helpers';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

interface Finding {
  id: string;
  severity: { name: string };
  confidence: { name: string };
  file: string;
  location: { line: number; column: number };
  sample?: string;
  manualReview?: boolean;
}
interface Report {
  globalChecks: number;
  atomicChecks: number;
  errors: { file: string; message: string; tolerable: boolean }[];
  issues: Finding[];
}
type Scan = (options: Record<string, unknown>, forCli: boolean) => Promise<Report>;
const scan = require('@doyensec/electronegativity') as Scan;
const ELECTRON_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;

function copy(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true, filter: (src) => !src.includes(`${path.sep}test${path.sep}`) && !src.endsWith(`${path.sep}test`) && !src.endsWith('.test.ts') });
}

async function electronegativity(input: string): Promise<Report> {
  return scan({ input, isRelative: true, electronVersionOverride: ELECTRON_VERSION, excludeFromScan: ['AvailableSecurityFixesGlobalCheck'] }, false);
}

const describeLine = (f: Finding) => `${f.id} (${f.severity.name}, ${f.confidence.name}) in ${f.file}:${f.location.line}: ${f.sample ?? ''}`;

describe('electronegativity', () => {
  it('finds what it should in a deliberately insecure window (so a clean scan means something)', async () => {
    const dir = tmpDir();
    fs.writeFileSync(
      path.join(dir, 'bad.js'),
      "const { BrowserWindow } = require('electron');\nconst w = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });\nw.loadURL('http://example.com');\n",
    );
    const report = await electronegativity(dir);
    const high = report.issues.filter((i) => i.severity.name === 'HIGH').map((i) => i.id);
    expect(high).toEqual(expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK']));
    expect(report.issues.map((i) => i.id)).toEqual(expect.arrayContaining(['PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK', 'HTTP_RESOURCES_JS_CHECK', 'SANDBOX_JS_CHECK']));
  });

  it('reports no HIGH finding in the shell and the renderer beyond the documented exceptions', async () => {
    const stage = tmpDir();
    copy(path.join(ROOT, 'electron'), path.join(stage, 'electron'));
    copy(path.join(ROOT, 'renderer', 'src'), path.join(stage, 'renderer', 'src'));
    fs.copyFileSync(path.join(ROOT, 'renderer', 'index.html'), path.join(stage, 'renderer', 'index.html'));
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(stage, 'package.json'));
    const report = await electronegativity(stage);

    expect(report.atomicChecks).toBeGreaterThan(30);
    expect(report.errors.filter((e) => !e.tolerable).map((e) => `${e.file}: ${e.message}`)).toEqual([]);
    const { exceptions } = JSON.parse(fs.readFileSync(path.join(ROOT, 'electron', 'electronegativity-exceptions.json'), 'utf8')) as { exceptions: { id: string; file: string; reason: string }[] };
    for (const e of exceptions) expect(e.reason.length, `${e.id} needs a reason`).toBeGreaterThan(40);
    const excused = (f: Finding) => exceptions.some((e) => e.id === f.id && e.file === f.file.split(path.sep).join('/'));

    const unexcusedHigh = report.issues.filter((f) => f.severity.name === 'HIGH' && !excused(f));
    expect(unexcusedHigh.map(describeLine)).toEqual([]);
    // Excuses must keep matching something: a fixed finding's excuse is removed, not left to cover a new one.
    const stale = exceptions.filter((e) => !report.issues.some((f) => f.id === e.id && f.file.split(path.sep).join('/') === e.file));
    expect(stale).toEqual([]);
    // Every finding of any severity is either excused or listed here, so nothing new goes unnoticed.
    expect(report.issues.filter((f) => !excused(f)).map(describeLine)).toEqual([]);
  });
});
