// An installed app's own folder is read-only (AppImage, /opt, Program Files), but running a sample writes its
// outputs and run records beside it. So the packaged app works on a copy in its userData folder, made once.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Copies `from` to `to` unless `to` exists (the user's edits to the copies are kept); returns `to`. */
export function copySamplesOnce(from: string, to: string): string {
  if (fs.existsSync(to) || !fs.existsSync(from)) return to;
  const tmp = `${to}.partial`;
  fs.rmSync(tmp, { recursive: true, force: true });
  copyTree(from, tmp);
  fs.renameSync(tmp, to);
  return to;
}

// Plain reads and writes rather than fs.cp: Electron's asar support covers these, not every newer fs call.
function copyTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (entry.name === '.sluice') continue; // run records of the developer's machine
    const src = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(src, dest);
    else if (entry.isFile()) fs.writeFileSync(dest, fs.readFileSync(src));
  }
}
