// Files over the real file system. Writes and removals are refused outside the folders a run may
// change (the project, the run's state and scratch folders): a wrong path in a plan fails loudly
// instead of deleting something of the user's.
import { lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { globFiles } from '../glob.js';
import type { Files, FolderListing, TreeNode } from '../ports.js';

export function diskFiles(writableRoots: readonly string[]): Files {
  const roots = writableRoots.map((root) => resolve(root));
  const writable = (path: string): string => {
    const full = resolve(path);
    if (!roots.some((root) => full === root || full.startsWith(root.endsWith(sep) ? root : root + sep))) {
      throw new Error(`refusing to change ${full}: outside the project and the run's folders`);
    }
    return full;
  };
  return {
    read(path) {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    list(path): FolderListing {
      try {
        const entries = readdirSync(path, { withFileTypes: true });
        return { files: entries.filter((e) => e.isFile()).map((e) => e.name), folders: entries.filter((e) => e.isDirectory()).map((e) => e.name) };
      } catch {
        return { files: [], folders: [] };
      }
    },
    walk: (path) => walk(path),
    exists: (path) => existsSync(path),
    resolve(path) {
      try {
        return realpathSync(path);
      } catch {
        return undefined;
      }
    },
    glob: (root, pattern) => globFiles(root, pattern),
    write(path, text) {
      const full = writable(path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
    },
    makeFolder(path) {
      mkdirSync(writable(path), { recursive: true });
    },
    remove(path) {
      rmSync(writable(path), { recursive: true, force: true });
    }
  };
}

/** One walk of `path` without following links, sizes summed per folder; undefined when it is missing. */
function walk(path: string): TreeNode | undefined {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return undefined;
  }
  if (!stat.isDirectory()) return { path, bytes: stat.size, entries: 1 };
  const children = readdirSync(path).flatMap((name) => walk(join(path, name)) ?? []);
  const sum = (field: 'bytes' | 'entries'): number => children.reduce((total, child) => total + child[field], 0);
  return { path, bytes: sum('bytes'), entries: 1 + sum('entries'), children };
}
