// Test files by the runners' default conventions, so that a run of zero tests can tell "this project
// has no tests" (a warning) from "the tests were there and none ran" (a failure). Pure over the
// project's files; the walk is bounded, as it only runs when nothing was tested.

import type { ProjectFiles } from './ecosystem.js';

/** Folders that hold tools', environments' and build output, never the project's own tests. */
const NOT_THE_PROJECT = new Set(['node_modules', 'venv', 'env', 'site-packages', 'dist', 'build', 'coverage', '__pycache__', 'htmlcov']);

export interface FoundTestFiles {
  /** Up to `limit` test files, relative to the project, in walk order (shallow first, sorted). */
  files: string[];
  /** The walk stopped at the limit: there are at least this many. */
  more: boolean;
}

/** Walks breadth-first (at most `maxFolders` folders) and stops after `limit` matches. */
export function findTestFiles(files: ProjectFiles, isTestFile: (path: string) => boolean, limit = 20, maxFolders = 2000): FoundTestFiles {
  const found: string[] = [];
  const queue = [''];
  let visited = 0;
  while (queue.length > 0 && visited < maxFolders) {
    const dir = queue.shift()!;
    visited++;
    const join = (name: string): string => (dir === '' ? name : `${dir}/${name}`);
    for (const name of [...files.list(dir)].sort()) {
      if (!isTestFile(join(name))) continue;
      found.push(join(name));
      if (found.length >= limit) return { files: found, more: true };
    }
    const folders = files.listDirs?.(dir) ?? [];
    for (const name of [...folders].sort()) if (!name.startsWith('.') && !NOT_THE_PROJECT.has(name)) queue.push(join(name));
  }
  return { files: found, more: false };
}

/** pytest's and unittest's defaults (`test_*.py`, `*_test.py`, `test*.py`) and Django's `tests.py`. */
export function isPythonTestFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return /^test.*\.py$/.test(name) || /_test\.py$/.test(name);
}

/**
 * jest's, vitest's, mocha's and node --test's defaults: `*.test.js`/`*.spec.ts`-style names, any
 * script under `__tests__/` or a top-level `test/`, `test-*.js`, `*_test.js`.
 */
export function isNodeTestFile(path: string): boolean {
  const script = /\.(c|m)?(j|t)sx?$/;
  if (!script.test(path) || /\.d\.(c|m)?ts$/.test(path)) return false;
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (/[.-](test|spec)\.(c|m)?(j|t)sx?$/.test(name) || /_test\.(c|m)?(j|t)sx?$/.test(name) || /^test([.-]|\.)/.test(name)) return true;
  return /(^|\/)__tests__\//.test(path) || /^tests?\//.test(path);
}
