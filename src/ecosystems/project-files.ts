// The project tree as ecosystems read it (relative, `/`-separated paths), over the Files port.
import { join } from 'node:path';
import type { Files } from '../ports.js';
import type { ProjectFiles } from './ecosystem.js';

export function projectFiles(files: Files, root: string): ProjectFiles {
  return {
    list: (dir) => files.list(join(root, dir)).files,
    listDirs: (dir) => files.list(join(root, dir)).folders,
    read: (path) => files.read(join(root, path))
  };
}
