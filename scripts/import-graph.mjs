// The house as the import graph draws it (part of `npm run lint` and `npm test`). dependency-cruiser reads every
// import of the product's TypeScript; this script then checks three things eslint cannot see:
// 1. no cycles between folders (each folder of engine/src is a layer, and so is each sub-folder of engine/src/runtime;
//    renderer/src/* and electron are folders too);
// 2. the workspace packages depend on each other only as declared: @sluice/format on nothing, the engine on format,
//    the designer on format and the shell's bridge, the shell on format and the engine's exported entry points;
// 3. no import reaches another package by a relative path (they go through package names and `exports`).
// Prints the folder graph's offending edges with one import that makes each, and exits 1 on any.
import path from 'node:path';
import { cruise } from 'dependency-cruiser';

const ROOTS = ['format/src', 'engine/src', 'renderer/src', 'electron'];

/** Workspace packages by folder (root package.json "workspaces"). */
const PACKAGES = { format: '@sluice/format', engine: '@sluice/engine', renderer: '@sluice/renderer', electron: '@sluice/shell' };
const packageOf = (file) => PACKAGES[file.split('/')[0]];

/**
 * The unit a module belongs to: a folder (engine/src/<layer>, renderer/src/<folder>, electron). Files at a root
 * (engine/src/service.ts, renderer/src/store.ts, ...) are units of their own: they sit outside any layer, and
 * counting them as their folder would make every layer that uses the store or the version "import its parent".
 * format/src (the @sluice/format package: api/, pipeline/, schema/ and kinds/) counts as one unit: the pure contract and format
 * everyone shares.
 */
const NODE_SPI = [
  'engine/src/runtime/exec-context.ts',
  'engine/src/runtime/gate.ts',
  'engine/src/runtime/faults.ts',
  // Services nodes and sources call (path resolution, secrets and redaction, display caps).
  'engine/src/runtime/paths.ts',
  'engine/src/runtime/secrets.ts',
  'engine/src/runtime/display-cap.ts',
];

function folderOf(file) {
  const parts = file.split('/');
  if (parts[0] === 'format' && parts[1] === 'src') return 'format/src';
  if (parts[0] === 'engine' && parts[1] === 'src') {
    if (parts.length === 3) return file;
    // The node interface (what a node sees while it runs) lives in runtime/ but is the contract between nodes and
    // the runtime, not part of either; it moves out in the package restructure (docs/ARCHITECTURE.md).
    if (NODE_SPI.includes(file)) return file;
    // runtime/'s sub-folders (execution, planning, durability, supervision) are layers of their own, so a cycle
    // between them fails like one between engine/src folders; the files at runtime/'s root (run.ts,
    // execute-plan.ts, preview.ts, static-checks.ts: the entry points) are one unit above them.
    if (parts[2] === 'runtime' && parts.length > 4) return `engine/src/runtime/${parts[3]}`;
    return `engine/src/${parts[2]}`;
  }
  if (parts[0] === 'renderer' && parts[1] === 'src') return parts.length > 3 ? `renderer/src/${parts[2]}` : file;
  if (parts[0] === 'electron') return parts.length > 2 && parts[1] !== 'test' ? `electron/${parts[1]}` : 'electron';
  return undefined;
}

/** What each package may import from the others (resolved files); anything else across packages is a problem. */
const ALLOWED = {
  '@sluice/format': [],
  '@sluice/engine': [/^format\/src\//],
  '@sluice/renderer': [/^format\/src\//, /^electron\/bridge\.ts$/],
  // The shell hosts the engine in its own process (engine-host.ts starts the service).
  // runtime/paths.ts: the shell's file access applies the engine's own path checks (to move to @sluice/format).
  '@sluice/shell': [/^format\/src\//, /^engine\/src\/service\.ts$/, /^engine\/src\/runtime\/paths\.ts$/],
};

const result = await cruise(ROOTS, {
  doNotFollow: { path: 'node_modules' },
  exclude: { path: '(node_modules|dist|\\.test\\.tsx?$|/test/)' },
  tsPreCompilationDeps: true,
  tsConfig: { fileName: 'tsconfig.base.json' },
  moduleSystems: ['es6'],
  // Workspace packages resolve (through node_modules/@sluice/*) to their sources, as for the type checker.
  enhancedResolveOptions: { conditionNames: ['sluice-source', 'import', 'node', 'default'], exportsFields: ['exports'] },
});
const modules = result.output.modules.filter((m) => !m.coreModule && !m.source.includes('node_modules'));

const problems = [];
const folderEdges = new Map();
for (const m of modules) {
  const from = folderOf(m.source);
  if (!from) continue;
  for (const d of m.dependencies) {
    const target = d.resolved;
    if (d.coreModule || target.includes('node_modules')) continue;
    const to = folderOf(target);
    if (to && to !== from) {
      const key = `${from} -> ${to}`;
      if (!folderEdges.has(key)) folderEdges.set(key, { from, to, example: `${m.source} imports ${target}` });
    }
    const fromPkg = packageOf(m.source);
    const toPkg = packageOf(target);
    if (fromPkg && toPkg && fromPkg !== toPkg) {
      if (d.module.startsWith('.')) problems.push(`a relative path into another package: ${m.source} imports '${d.module}' (use ${toPkg}'s package name)`);
      if (!ALLOWED[fromPkg].some((re) => re.test(target))) problems.push(`${fromPkg} may not depend on ${toPkg}'s ${target} (${m.source} imports '${d.module}')`);
    }
  }
}

// Cycles between folders: Tarjan's strongly connected components over the folder graph.
const adj = new Map();
for (const { from, to } of folderEdges.values()) {
  if (!adj.has(from)) adj.set(from, []);
  adj.get(from).push(to);
}
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const on = new Set();
const sccs = [];
function strong(v) {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  on.add(v);
  for (const w of adj.get(v) ?? []) {
    if (!idx.has(w)) {
      strong(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const comp = [];
    let w;
    do {
      w = stack.pop();
      on.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1) sccs.push(comp);
  }
}
for (const v of adj.keys()) if (!idx.has(v)) strong(v);
/**
 * Cycles allowed for now, each as { members: [folders], why }; empty: any cycle between folders fails. (The last
 * one, store.ts <-> files/ <-> state/, went when the file host's interfaces moved to lib/file-host.ts.)
 */
const KNOWN_CYCLES = [];
const known = [];
for (const comp of sccs) {
  const k = KNOWN_CYCLES.find((c) => c.members.length === comp.length && c.members.every((m) => comp.includes(m)));
  if (k) {
    known.push(`known cycle (${k.why}): ${comp.sort().join(', ')}`);
    continue;
  }
  const inside = [...folderEdges.values()].filter((e) => comp.includes(e.from) && comp.includes(e.to));
  problems.push(`folders import each other: ${comp.sort().join(', ')}\n${inside.map((e) => `    ${e.from} -> ${e.to}  (${e.example})`).join('\n')}`);
}

for (const k of known) process.stdout.write(`import graph: ${k}\n`);
const folders = new Set([...folderEdges.values()].flatMap((e) => [e.from, e.to]));
if (problems.length > 0) {
  process.stderr.write(`import graph: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`import graph: ${modules.length} modules in ${folders.size} folders, ${folderEdges.size} folder edges, no cycles between folders; packages depend only as declared, by name (${path.basename(import.meta.url)})\n`);
