/**
 * Temp directories and fixture workspaces for end-to-end tests.
 *
 * Every directory made here is remembered and removed by `removeTempDirs()` (call it in `afterAll`).
 * `SLIPWAY_E2E_KEEP=1` keeps them, to poke at a failed run.
 *
 * Why `freshCheckout` reuses the SAME path: `@actions/cache` derives the cache `version` from the
 * cache paths as given, and tar stores paths relative to GITHUB_WORKSPACE. A second "job" must
 * therefore see the workspace at the same absolute path, as consecutive jobs on one runner do
 * (/home/runner/work/<repo>/<repo>), or restores would miss for the wrong reason.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const created = new Set<string>();

/** The repository root (the directory holding Slipway's package.json and action.yml). */
export function repoRoot(): string {
  const starts = [path.dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const start of starts) {
    let dir = start;
    for (;;) {
      if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, '__tests__'))) return dir;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error('cannot find the repository root (package.json next to __tests__/)');
}

/** `__tests__/e2e/fixtures/<name>` (or an absolute path, returned as is). */
export function fixturePath(name: string): string {
  return path.isAbsolute(name) ? name : path.join(repoRoot(), '__tests__', 'e2e', 'fixtures', name);
}

/** A new empty directory under the OS temp dir, removed by `removeTempDirs()`. */
export function makeTempDir(prefix = 'slipway-e2e-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  created.add(dir);
  return dir;
}

/** Copies a fixture project (name under __tests__/e2e/fixtures, or a path) into a new workspace. */
export function createWorkspace(fixture?: string, options: { name?: string } = {}): string {
  // A nested directory named like the repository mimics /home/runner/work/<repo>/<repo>.
  const root = makeTempDir('slipway-ws-');
  const ws = path.join(root, options.name ?? 'repo');
  mkdirSync(ws, { recursive: true });
  if (fixture) copyInto(fixturePath(fixture), ws);
  return ws;
}

/**
 * Emulates a fresh checkout in a later job: empties `workspace` (keeping the directory itself, so its
 * absolute path stays the same) and copies the fixture in again. Anything the previous run created
 * (a virtual environment, node_modules, reports) is gone.
 */
export function freshCheckout(workspace: string, fixture?: string): string {
  wipeDir(workspace);
  if (fixture) copyInto(fixturePath(fixture), workspace);
  return workspace;
}

/** Removes everything inside `dir`, keeping `dir`. */
export function wipeDir(dir: string): void {
  for (const name of readdirSync(dir)) rmSync(path.join(dir, name), { recursive: true, force: true });
}

/** Copies the contents of `src` into `dest` (symlinks copied as links, not followed). */
export function copyInto(src: string, dest: string): void {
  if (!existsSync(src)) throw new Error(`fixture not found: ${src}`);
  cpSync(src, dest, { recursive: true, verbatimSymlinks: true, force: true });
}

/** Marks a directory made elsewhere for removal by `removeTempDirs()`. */
export function trackTempDir(dir: string): string {
  created.add(dir);
  return dir;
}

/** Removes every directory made by this module (unless SLIPWAY_E2E_KEEP=1, which prints them). */
export function removeTempDirs(): void {
  if (process.env['SLIPWAY_E2E_KEEP'] === '1') {
    if (created.size) process.stderr.write(`SLIPWAY_E2E_KEEP=1, kept:\n  ${[...created].join('\n  ')}\n`);
    created.clear();
    return;
  }
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
  created.clear();
}

/**
 * Clears the named variables of process.env (for tests that drive @actions/cache in-process, which
 * reads them at call time) and returns the function that puts the original values back.
 */
export function isolateEnv(names: readonly string[]): () => void {
  const saved = new Map(names.map((name) => [name, process.env[name]]));
  for (const name of names) delete process.env[name];
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** 1-based number of the first line of `file` containing `text`. */
export function lineOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`${text} not in ${file}`);
  return index + 1;
}

/** Replaces the first `from` in a file; a fixture that lacks it is a broken test, said at once. */
export function replaceInFile(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
  writeFileSync(file, text.replace(from, to));
}
