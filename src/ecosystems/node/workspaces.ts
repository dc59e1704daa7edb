// A Node project's workspaces: the package folders its package.json or pnpm-workspace.yaml names.
import { posix } from 'node:path';
import { globToRegExp } from '../../glob.js';
import type { ProjectFiles } from '../ecosystem.js';
import { readPackageJson } from './package-json.js';

/** Workspace globs: package.json `workspaces` (array or `{ packages }`), else pnpm-workspace.yaml. */
export function workspacePatterns(files: ProjectFiles): string[] {
  const field = readPackageJson(files)?.workspaces;
  const list = Array.isArray(field)
    ? field
    : typeof field === 'object' && field !== null && Array.isArray((field as { packages?: unknown }).packages)
      ? (field as { packages: unknown[] }).packages
      : [];
  const fromPackage = list.filter((item): item is string => typeof item === 'string');
  if (fromPackage.length > 0) return fromPackage;
  return pnpmWorkspacePackages(files.read('pnpm-workspace.yaml') ?? '');
}

/** The `packages:` list of pnpm-workspace.yaml (block or flow style). */
function pnpmWorkspacePackages(yaml: string): string[] {
  const lines = yaml.split(/\r?\n/);
  const start = lines.findIndex((line) => /^packages:/.test(line));
  if (start < 0) return [];
  const flow = /^packages:\s*\[(.*)\]/.exec(lines[start]);
  if (flow)
    return flow[1]
      .split(',')
      .map(unquote)
      .filter((item) => item !== '');
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const item = /^\s*-\s*(.+?)\s*(?:#.*)?$/.exec(line);
    if (item) items.push(unquote(item[1]));
  }
  return items;
}

function unquote(value: string): string {
  return value.trim().replace(/^(["'])(.*)\1$/, '$2');
}

/**
 * Workspace package folders (relative, sorted), each holding a package.json. Globs are expanded
 * with `listDirs` when the view has it, else matched against the folders the lockfile names
 * (package-lock.json `packages`, pnpm-lock.yaml `importers`, Yarn 2+ `@workspace:` entries).
 */
export function workspaceDirs(files: ProjectFiles): string[] {
  const patterns = workspacePatterns(files).map((p) => p.trim().replace(/^\.\//, '').replace(/\/+$/, ''));
  const include = patterns.filter((p) => p !== '' && !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => globToRegExp(p.slice(1).replace(/^\.\//, '')));
  if (include.length === 0) return [];
  const candidates = new Set<string>(lockfileWorkspaceDirs(files));
  for (const pattern of include) {
    if (!/[*?]/.test(pattern)) candidates.add(posix.normalize(pattern));
    else if (files.listDirs) expandDirs(files, pattern).forEach((dir) => candidates.add(dir));
  }
  const matchers = include.map((p) => globToRegExp(posix.normalize(p)));
  return [...candidates]
    .filter((dir) => dir !== '.' && dir !== '' && !dir.startsWith('../') && !dir.split('/').includes('node_modules'))
    .filter((dir) => matchers.some((re) => re.test(dir)) && !exclude.some((re) => re.test(dir)))
    .filter((dir) => files.read(`${dir}/package.json`) !== undefined)
    .sort();
}

/** Folders matching a glob, walking only as deep as the glob asks (`**` walks, skipping node_modules). */
function expandDirs(files: ProjectFiles, pattern: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, segments: string[]): void => {
    if (segments.length === 0) {
      found.push(dir);
      return;
    }
    const [segment, ...rest] = segments;
    const children = (files.listDirs?.(dir) ?? []).filter((name) => name !== 'node_modules' && !name.startsWith('.'));
    const join = (name: string): string => (dir === '' ? name : `${dir}/${name}`);
    if (segment === '**') {
      walk(dir, rest);
      if (found.length < 10_000) children.forEach((name) => walk(join(name), segments));
      return;
    }
    const re = globToRegExp(segment);
    children.filter((name) => re.test(name)).forEach((name) => walk(join(name), rest));
  };
  walk('', posix.normalize(pattern).split('/'));
  return found;
}

function lockfileWorkspaceDirs(files: ProjectFiles): string[] {
  const dirs: string[] = [];
  const npmLock = files.read('package-lock.json') ?? files.read('npm-shrinkwrap.json');
  if (npmLock) {
    try {
      const packages = (JSON.parse(npmLock) as { packages?: Record<string, unknown> }).packages;
      for (const key of Object.keys(packages ?? {})) if (key !== '' && !key.split('/').includes('node_modules')) dirs.push(key);
    } catch {
      // an unreadable lockfile names no workspaces; npm ci will say what is wrong with it
    }
  }
  const pnpmLock = files.read('pnpm-lock.yaml');
  if (pnpmLock) {
    const section = /^importers:\s*\n((?:[ \t]+.*\n?|\s*\n)*)/m.exec(pnpmLock)?.[1] ?? '';
    for (const match of section.matchAll(/^ {2}(['"]?)([^'"\s:][^'":]*)\1:\s*$/gm)) dirs.push(match[2]);
  }
  for (const match of (files.read('yarn.lock') ?? '').matchAll(/@workspace:([^",\s]+)/g)) dirs.push(match[1]);
  return dirs.map((dir) => posix.normalize(dir));
}
