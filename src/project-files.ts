// ProjectFiles over the real file system.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeProjectFiles } from './ecosystems/node.js';

export function diskProjectFiles(root: string): NodeProjectFiles {
  return {
    listDirs(dir) {
      try {
        return readdirSync(join(root, dir), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => entry.name);
      } catch {
        return [];
      }
    },
    list(dir) {
      try {
        return readdirSync(join(root, dir), { withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => entry.name);
      } catch {
        return [];
      }
    },
    read(path) {
      try {
        return readFileSync(join(root, path), 'utf8');
      } catch {
        return undefined;
      }
    }
  };
}
