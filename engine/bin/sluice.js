#!/usr/bin/env node
// The `sluice` command. The engine is compiled to engine/dist and bundled into engine/dist/bundle (which starts
// faster: scripts/bundle-engine.mjs) by `npm run build:engine`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
// `sluice run` has an entry of its own that does not load the engine: its supervised worker loads it, once.
const entry = argv[0] === 'run' ? ['../dist/bundle/run-main.js', 'runRunCli'] : ['../dist/bundle/main.js', 'runCli'];
const main = new URL(entry[0], import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('sluice: the engine is not built yet. Run: npm run build:engine\n');
  process.exit(2);
}
const cli = await import(main.href);
process.exitCode = await cli[entry[1]](argv);
