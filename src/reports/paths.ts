// Paths as tools print them, made repository-relative for annotations and reports. Shared by the
// JUnit, Cobertura and lint parsers.

import { posix } from 'node:path';

export interface PathOptions {
  /**
   * Directory the tool ran in. Relative paths in its output are relative to it. Absolute, or
   * relative to the repository root (then it is simply prefixed to relative paths).
   */
  projectRoot?: string;
  /**
   * Absolute directory that output paths are made relative to. Annotations need
   * repository-relative paths, so pass the repository root when the project is a subdirectory.
   * Defaults to projectRoot.
   */
  repositoryRoot?: string;
}

/** Forward slashes, no `file://` scheme, no surrounding blanks: one spelling for every tool. */
function cleanSlashes(raw: string): string {
  return raw
    .trim()
    .replace(/^file:\/\//, '')
    .replace(/\\/g, '/');
}

function hasDriveLetter(path: string): boolean {
  return /^[A-Za-z]:\//.test(path);
}

export function isAbsolutePath(raw: string): boolean {
  const path = cleanSlashes(raw);
  return path.startsWith('/') || hasDriveLetter(path);
}

/** `path` relative to `root` when it lies inside it; Windows paths compare case-insensitively. */
function relativeInside(path: string, root: string): string | undefined {
  const base = posix.normalize(root).replace(/\/+$/, '');
  const fold = hasDriveLetter(base) ? (s: string) => s.toLowerCase() : (s: string) => s;
  if (fold(path).startsWith(fold(base) + '/')) return path.slice(base.length + 1);
  return undefined;
}

/**
 * A path as a tool printed it, turned into the path annotations need: relative to the
 * repository root when it lies inside it, with forward slashes. Paths outside stay absolute.
 */
export function toRepoPath(raw: string, options: PathOptions = {}): string {
  const path = cleanSlashes(String(raw ?? ''));
  if (path === '') return '';
  const projectRoot = options.projectRoot ? cleanSlashes(options.projectRoot) : undefined;
  const root = options.repositoryRoot ? cleanSlashes(options.repositoryRoot) : projectRoot;

  let absolute: string;
  if (isAbsolutePath(path)) absolute = posix.normalize(path);
  else if (projectRoot) absolute = posix.normalize(posix.join(projectRoot, path));
  else return posix.normalize(path).replace(/^\.\//, '');

  if (!isAbsolutePath(absolute)) return absolute.replace(/^\.\//, ''); // relative projectRoot
  if (root && isAbsolutePath(root)) return relativeInside(absolute, root) ?? absolute;
  return absolute;
}

/** True when a repository path points at the user's own code, not a dependency or the stdlib. */
export function isProjectPath(path: string): boolean {
  if (path === '' || isAbsolutePath(path) || path.startsWith('../') || path.startsWith('<')) return false;
  return !/(^|\/)(site-packages|dist-packages|node_modules|\.venv|venv)\//.test(path);
}
