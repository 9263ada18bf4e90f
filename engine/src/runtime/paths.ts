// Paths in a pipeline are untrusted: each resolves against the pipeline's folder and must stay inside an allowed root.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from './exec-context.js';

export function isInside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Resolve symlinks of the longest existing prefix so a link cannot smuggle a path out of its root. */
function realish(p: string): string {
  let cur = p;
  const tail: string[] = [];
  for (;;) {
    try {
      const real = fs.realpathSync(cur);
      return tail.length ? path.join(real, ...tail.reverse()) : real;
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return p;
      tail.push(path.basename(cur));
      cur = parent;
    }
  }
}

export function resolveInside(baseDir: string, roots: string[], p: string, where: { nodeId: string; field: string }): string {
  if (p.includes('\u0000')) throw new UserError(`path in "${where.field}" contains a NUL character`, where);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) throw new UserError(`"${where.field}" must be a local file path, not a URL (${p})`, where);
  const abs = realish(path.resolve(baseDir, p));
  const realRoots = roots.map((r) => realish(path.resolve(r)));
  if (!realRoots.some((r) => isInside(abs, r))) {
    throw new UserError(`path "${p}" in "${where.field}" is outside the folders this pipeline may use (${realRoots.join(', ')}); allow it with --allow DIR`, where);
  }
  return abs;
}

function globToRegExp(segment: string): RegExp {
  let re = '';
  for (const ch of segment) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Expand `*`, `?` and `**` in a path, in sorted order so that runs read files deterministically. */
export function expandGlob(absPattern: string): string[] {
  const parts = absPattern.split(path.sep);
  const firstWild = parts.findIndex((s) => /[*?]/.test(s));
  if (firstWild < 0) return fs.existsSync(absPattern) ? [absPattern] : [];
  let current = [parts.slice(0, firstWild).join(path.sep) || path.sep];
  for (let i = firstWild; i < parts.length; i++) {
    const seg = parts[i] as string;
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const dir of current) {
      if (seg === '**') {
        const walk = (d: string): void => {
          next.push(d);
          for (const ent of safeReaddir(d)) if (ent.isDirectory()) walk(path.join(d, ent.name));
        };
        walk(dir);
        continue;
      }
      const re = globToRegExp(seg);
      for (const ent of safeReaddir(dir)) {
        if (!re.test(ent.name)) continue;
        if (last ? ent.isFile() : ent.isDirectory()) next.push(path.join(dir, ent.name));
      }
    }
    current = next;
  }
  return [...new Set(current)].sort();
}

function safeReaddir(d: string): fs.Dirent[] {
  try {
    return fs.readdirSync(d, { withFileTypes: true });
  } catch {
    return [];
  }
}
