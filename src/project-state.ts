// Where a project's environment lives between runs: outside the project tree (so it is never
// linted, test-discovered or sent to a Docker build), at a path that is the same on every run of
// the same project, because a virtual environment only works at the path it was made at.
import { existsSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import { sha256 } from './cache-key.js';

export function projectStateDir(root: string, projectDir: string): string {
  // A run without a checkout (a closed pull request's preview destroy) may have no project folder.
  const real = existsSync(projectDir) ? realpathSync(projectDir) : projectDir;
  const name =
    basename(real)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 40) || 'project';
  return join(root, `${name}-${sha256(real).slice(0, 10)}`);
}
