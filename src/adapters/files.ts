// Files over the real file system. Writes and removals are refused outside the folders a run may
// change (the project, the run's state and scratch folders): a wrong path in a plan fails loudly
// instead of deleting something of the user's.
import { lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { globFiles } from '../glob.js';
import type { Files, FolderListing } from '../ports.js';

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
        const named = (kind: (entry: (typeof entries)[number]) => boolean): string[] => entries.filter(kind).map((e) => e.name);
        return { files: named((e) => e.isFile()), folders: named((e) => e.isDirectory()), links: named((e) => e.isSymbolicLink()) };
      } catch {
        return { files: [], folders: [], links: [] };
      }
    },
    usage: (path) => usage(path),
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
    remove(path) {
      rmSync(writable(path), { recursive: true, force: true });
    }
  };
}

/** du without following links: a missing path is empty. */
function usage(path: string): { bytes: number; entries: number } {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return { bytes: 0, entries: 0 };
  }
  const total = { bytes: stat.isDirectory() ? 0 : stat.size, entries: 1 };
  if (!stat.isDirectory()) return total;
  for (const name of readdirSync(path)) {
    const inner = usage(join(path, name));
    total.bytes += inner.bytes;
    total.entries += inner.entries;
  }
  return total;
}
