// What decides a Node project's installed tree, for the cache key: the lockfile, the manager's
// configuration, patches, and the install-relevant fields of every package.json.
import type { DependencyFile } from '../../cache-key.js';
import type { ProjectFiles } from '../ecosystem.js';
import { readKeyFiles } from '../shared.js';
import { readPackageJson } from './package-json.js';
import { LOCKFILES, type PackageManagerInfo } from './package-manager.js';
import { workspaceDirs } from './workspaces.js';

/** Key entry synthesized from the package.json files: see `dependencyManifest`. */
export const MANIFEST_KEY_PATH = 'package.json#dependencies';

/** The package.json fields that change what an install puts on disk. Scripts, version, etc. do not. */
const MANIFEST_FIELDS = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bundleDependencies',
  'bundledDependencies',
  'overrides',
  'resolutions',
  'workspaces',
  'packageManager',
  'pnpm',
  'dependenciesMeta'
] as const;

/** Configuration files that change how the manager resolves or links packages. */
const CONFIG_FILES = ['.npmrc', '.yarnrc', '.yarnrc.yml', 'pnpm-workspace.yaml', '.pnpmfile.cjs'];

/** The key's files, sorted by path: see `dependencyManifest` for the package.json entry. */
export function dependencyFilesOf(files: ProjectFiles, info: PackageManagerInfo, workspaces: string[]): DependencyFile[] {
  const lockfiles = LOCKFILES.filter(([, owner]) => owner === info.manager).map(([file]) => file);
  const patches = files
    .list('patches')
    .filter((name) => name.endsWith('.patch'))
    .map((name) => `patches/${name}`);
  const found = [
    ...readKeyFiles(files, [...lockfiles, ...CONFIG_FILES, ...patches]),
    { path: MANIFEST_KEY_PATH, content: dependencyManifest(files, workspaces) }
  ];
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Canonical JSON of the install-relevant fields of every package.json (root and workspaces):
 * a dependency changed without a lockfile update changes the key, so the frozen install runs
 * and says what is out of sync, instead of a stale restored tree passing silently.
 */
export function dependencyManifest(files: ProjectFiles, workspaces: string[] = workspaceDirs(files)): string {
  const manifest: Record<string, Record<string, unknown>> = {};
  for (const dir of ['', ...workspaces]) {
    const path = dir === '' ? 'package.json' : `${dir}/package.json`;
    const pkg = readPackageJson(files, path);
    if (!pkg) {
      if (files.read(path) !== undefined) manifest[path] = { unreadable: files.read(path) };
      continue;
    }
    const fields: Record<string, unknown> = {};
    for (const field of MANIFEST_FIELDS) if (pkg[field] !== undefined) fields[field] = pkg[field];
    manifest[path] = fields;
  }
  return canonicalJson(manifest);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
