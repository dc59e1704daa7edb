// What a Node project needs installed, how its tests and linter run: pure decisions over the
// project's files and package.json scripts. The install, test and lint stages act on these plans;
// unit tests drive them with in-memory file trees. Every flag below was checked against the real
// tools (npm 11, yarn 1.22 and 4.5, pnpm 8/9/10, jest 30, vitest 3, eslint 9, Node 20).
import { posix } from 'node:path';
import type { DependencyFile } from '../cache-key.js';
import { SlipwayError } from '../errors.js';
import { globToRegExp } from '../glob.js';
import type { FindingsParse } from '../reports/findings.js';
import { parseEslintJson, parseLineFindings } from '../reports/findings.js';
import type { PathOptions } from '../reports/paths.js';
import type { Command, ProjectFiles } from './python.js';

/** A ProjectFiles view that can also list folders; needed to expand workspace globs (`packages/*`). */
export interface NodeProjectFiles extends ProjectFiles {
  /** Names of the sub-folders of a folder (not recursive); [] when it does not exist. */
  listDirs?(dir: string): string[];
}

export type NodeManager = 'npm' | 'yarn' | 'pnpm';

export interface PackageManagerInfo {
  manager: NodeManager;
  /** From package.json's `packageManager` field (`pnpm@9.1.0+sha512…` → `9.1.0`). */
  version?: string;
  /** The lockfile the install honours; undefined when the project has none. */
  lockfile?: string;
  /** Yarn 2+ (a `.yarnrc.yml`, a `__metadata:` lockfile, or `packageManager: yarn@2+`). */
  yarnBerry: boolean;
  /** Lockfiles of other managers that were found and are not used (a person should know). */
  otherLockfiles: string[];
}

/** How package.json scripts and the install are run: the manager, maybe through corepack. */
export interface ScriptRunner {
  manager: NodeManager;
  yarnBerry: boolean;
  /** Run as `corepack <manager> …` (the manager itself is not installed). */
  corepack: boolean;
}

const LOCKFILES: ReadonlyArray<[string, NodeManager]> = [
  ['npm-shrinkwrap.json', 'npm'],
  ['package-lock.json', 'npm'],
  ['yarn.lock', 'yarn'],
  ['pnpm-lock.yaml', 'pnpm']
];

const PACKAGE_MANAGER_FIELD = /^(npm|yarn|pnpm)@([^+\s]+)/;

// ---------------------------------------------------------------------------------------------
// package.json

export interface PackageJson {
  name?: string;
  packageManager?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  workspaces?: unknown;
  [field: string]: unknown;
}

/** package.json as an object; undefined when missing or not a JSON object. */
export function readPackageJson(files: ProjectFiles, path = 'package.json'): PackageJson | undefined {
  const text = files.read(path);
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as PackageJson) : undefined;
  } catch {
    return undefined;
  }
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** The `scripts` of package.json (string values only). */
export function packageScripts(files: ProjectFiles): Record<string, string> {
  return stringRecord(readPackageJson(files)?.scripts);
}

// ---------------------------------------------------------------------------------------------
// Detection

export function detectPackageManager(files: ProjectFiles): PackageManagerInfo {
  const pkg = readPackageJson(files);
  const present = LOCKFILES.filter(([file]) => files.read(file) !== undefined);
  const field = typeof pkg?.packageManager === 'string' ? PACKAGE_MANAGER_FIELD.exec(pkg.packageManager.trim()) : null;
  const manager: NodeManager = field ? (field[1] as NodeManager) : (present[0]?.[1] ?? 'npm');
  const version = field?.[2];
  const lockfile = present.find(([, owner]) => owner === manager)?.[0];
  const otherLockfiles = present.filter(([, owner]) => owner !== manager).map(([file]) => file);
  return { manager, ...(version ? { version } : {}), ...(lockfile ? { lockfile } : {}), yarnBerry: manager === 'yarn' && isYarnBerry(files, version), otherLockfiles };
}

function isYarnBerry(files: ProjectFiles, version: string | undefined): boolean {
  if (version !== undefined) return Number.parseInt(version, 10) >= 2;
  if (files.read('.yarnrc.yml') !== undefined) return true;
  return /^__metadata:/m.test(files.read('yarn.lock') ?? '');
}

/** Yarn 2+ links packages without node_modules (Plug'n'Play) unless `.yarnrc.yml` says otherwise. */
export function yarnLinker(files: ProjectFiles): 'pnp' | 'node-modules' | 'pnpm' {
  const match = /^nodeLinker:\s*["']?([A-Za-z-]+)/m.exec(files.read('.yarnrc.yml') ?? '');
  return match?.[1] === 'node-modules' ? 'node-modules' : match?.[1] === 'pnpm' ? 'pnpm' : 'pnp';
}

// ---------------------------------------------------------------------------------------------
// Workspaces

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
  if (flow) return flow[1].split(',').map(unquote).filter((item) => item !== '');
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
export function workspaceDirs(files: NodeProjectFiles): string[] {
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
function expandDirs(files: NodeProjectFiles, pattern: string): string[] {
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

// ---------------------------------------------------------------------------------------------
// Install

export interface NodeInstallInput {
  files: NodeProjectFiles;
  /** Absolute project directory. */
  root: string;
  /** Absolute folder for the package manager's download cache (restored on a key miss). */
  downloadsDir: string;
  /** Tools found on PATH. */
  available: { yarn: boolean; pnpm: boolean; corepack: boolean };
  /** The user's install-command, one command a line. */
  installCommands?: string[][];
  /** The PATH to extend with node_modules/.bin (usually process.env.PATH). */
  pathEnv?: string;
}

export interface NodeInstallPlan {
  manager: NodeManager;
  installer: NodeManager | 'custom';
  /** How scripts run (`npm test`, `corepack pnpm run test`): the test and lint plans need it. */
  runner: ScriptRunner;
  packageManager: PackageManagerInfo;
  /** What decides the installed tree, for the cache key (sorted by path). */
  dependencyFiles: DependencyFile[];
  commands: Command[];
  /** Absolute paths to cache: node_modules of the root and of each workspace (or Plug'n'Play files). */
  cachePaths: string[];
  /** Absolute files whose existence proves a restored tree is usable. */
  verify: string[];
  /**
   * Absolute file for the key stamp written after a good install, inside the cached paths:
   * node_modules/.slipway-key, or under Plug'n'Play .yarn/.slipway-key (listed in cachePaths).
   */
  stampPath: string;
  /**
   * The download cache, restored on a key miss to speed up the install (`env` points the manager
   * at it). Undefined when the project keeps its own cache (Yarn zero-installs) or when the cache is
   * the installed tree itself (Yarn Plug'n'Play: packages stay in their zip archives).
   */
  downloads?: { tool: string; path: string; env: Record<string, string> };
  /** Variables for the install commands (where the manager keeps downloads); always apply these. */
  installEnv: Record<string, string>;
  /** Variables for every command run in the project after the install (PATH with node_modules/.bin). */
  env: Record<string, string>;
  binDir: string;
  /** Yarn 2+ Plug'n'Play: there is no node_modules; bins run through `yarn <bin>`. */
  pnp: boolean;
  notes: string[];
}

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

const INSTALL_ARGS: Record<'npm' | 'yarn' | 'berry' | 'pnpm', string[]> = {
  // npm 11 revalidates every package's metadata even for `ci`; with the download cache restored,
  // --prefer-offline skips that (the lockfile pins every tarball by integrity anyway).
  npm: ['ci', '--prefer-offline', '--no-audit', '--no-fund'],
  yarn: ['install', '--frozen-lockfile', '--non-interactive'],
  berry: ['install', '--immutable'],
  pnpm: ['install', '--frozen-lockfile']
};

/** Never prompt before corepack downloads the manager (a CI log has nobody to answer). */
const COREPACK_ENV = { COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' };

export function lockfileName(manager: NodeManager): string {
  return manager === 'npm' ? 'package-lock.json' : manager === 'yarn' ? 'yarn.lock' : 'pnpm-lock.yaml';
}

export function planNodeInstall({ files, root, downloadsDir, available, installCommands, pathEnv }: NodeInstallInput): NodeInstallPlan {
  const info = detectPackageManager(files);
  const notes: string[] = [];
  const workspaces = workspaceDirs(files);
  const pnp = info.yarnBerry && yarnLinker(files) === 'pnp';
  const binDir = posix.join(root, 'node_modules', '.bin');
  const custom = installCommands !== undefined && installCommands.length > 0;

  if (info.otherLockfiles.length > 0) {
    const used = info.lockfile ?? 'package.json';
    notes.push(`Found ${[info.lockfile, ...info.otherLockfiles].filter(Boolean).join(' and ')}; installing with ${info.manager} from ${used}. Delete the lockfile you do not use, or set "packageManager" in package.json.`);
  }
  if (!info.lockfile && !custom) {
    const wanted = lockfileName(info.manager);
    throw new SlipwayError(
      `No lockfile: a Node project needs one so every run installs the same versions. Run \`${info.manager} install\` ` +
        `(or yarn/pnpm install) and commit ${wanted}. If this package is part of a workspace, set \`working-directory\` to the workspace root, where the lockfile is.`
    );
  }

  const runner = chooseRunner(info, available, notes, custom);
  const commands: Command[] = custom
    ? installCommands.map(([command, ...args]) => ({ command, args }))
    : [managerCommand(runner, INSTALL_ARGS[runner.manager === 'yarn' ? (runner.yarnBerry ? 'berry' : 'yarn') : runner.manager])];

  const moduleDirs = ['', ...workspaces].map((dir) => posix.join(root, dir, 'node_modules'));
  const caches = cacheFolders(files, info, pnp, root, downloadsDir, notes);
  const stampPath = pnp ? posix.join(root, '.yarn', '.slipway-key') : posix.join(root, 'node_modules', '.slipway-key');
  const cachePaths = pnp
    ? [...['.pnp.cjs', '.pnp.loader.mjs', '.yarn/unplugged', '.yarn/install-state.gz'].map((p) => posix.join(root, p)), ...caches.pnpCache, stampPath]
    : info.yarnBerry
      ? [...moduleDirs, posix.join(root, '.yarn', 'install-state.gz')]
      : moduleDirs;

  return {
    manager: info.manager,
    installer: custom ? 'custom' : info.manager,
    runner,
    packageManager: info,
    dependencyFiles: dependencyFilesOf(files, info, workspaces),
    commands,
    cachePaths,
    // Under Plug'n'Play the archives are the packages: .pnp.cjs without them is no installed tree.
    verify: pnp ? [posix.join(root, '.pnp.cjs'), ...caches.pnpCache] : verifyNodeModulesPlan(files, root, { manager: info.manager, workspaces }),
    stampPath,
    ...(caches.downloads ? { downloads: caches.downloads } : {}),
    installEnv: caches.installEnv,
    env: { PATH: pathEnv ? `${binDir}${posix.delimiter}${pathEnv}` : binDir },
    binDir,
    pnp,
    notes
  };
}

function chooseRunner(info: PackageManagerInfo, available: NodeInstallInput['available'], notes: string[], custom: boolean): ScriptRunner {
  const { manager, yarnBerry } = info;
  if (manager === 'npm') return { manager, yarnBerry, corepack: false };
  const installed = manager === 'yarn' ? available.yarn : available.pnpm;
  // The yarn found on PATH is nearly always 1.x, which refuses a project pinned to Yarn 2+:
  // corepack runs the version the project names.
  const preferCorepack = yarnBerry && available.corepack;
  if (preferCorepack || (!installed && available.corepack)) {
    if (!info.version) {
      notes.push(
        `package.json has no "packageManager" field, so corepack picks its own default ${manager}` +
          `${yarnBerry ? ' (Yarn 1, which cannot read a Yarn 2+ lockfile)' : ''}; pin it, e.g. run \`corepack use ${manager}@${yarnBerry ? '4' : 'latest'}\` and commit package.json.`
      );
    }
    return { manager, yarnBerry, corepack: true };
  }
  if (yarnBerry && installed) {
    notes.push('Yarn 2+ project and corepack is not available: running the yarn on PATH, which works only if it is Yarn 2+ or the project commits its release (yarnPath in .yarnrc.yml).');
  }
  if (!installed && !custom) {
    throw new SlipwayError(
      `${info.lockfile ?? manager} needs ${manager}, which is not installed, and corepack is not available to fetch it. ` +
        `Install ${manager} before Slipway (e.g. \`npm install -g ${manager}\` or ${manager === 'pnpm' ? 'pnpm/action-setup' : 'corepack enable'}).`
    );
  }
  return { manager, yarnBerry, corepack: false };
}

/** `npm …`, `yarn …`, `pnpm …`, or the same through `corepack`. */
export function managerCommand(runner: ScriptRunner, args: string[]): Command {
  return runner.corepack ? { command: 'corepack', args: [runner.manager, ...args], env: { ...COREPACK_ENV } } : { command: runner.manager, args };
}

interface CacheFolders {
  downloads?: NodeInstallPlan['downloads'];
  installEnv: Record<string, string>;
  /** Under Plug'n'Play, the zip cache the installed tree lives in (part of the environment). */
  pnpCache: string[];
}

function cacheFolders(files: NodeProjectFiles, info: PackageManagerInfo, pnp: boolean, root: string, path: string, notes: string[]): CacheFolders {
  const separate = (tool: string, env: Record<string, string>): CacheFolders => ({ downloads: { tool, path, env }, installEnv: env, pnpCache: [] });
  if (info.manager === 'npm') return separate('npm', { npm_config_cache: path });
  if (info.manager === 'pnpm') return separate('pnpm', { npm_config_store_dir: path });
  if (!info.yarnBerry) return separate('yarn', { YARN_CACHE_FOLDER: path });
  if (files.list('.yarn/cache').length > 0) {
    notes.push('The project commits its Yarn cache (zero-installs); Slipway leaves it where it is.');
    return { installEnv: {}, pnpCache: [] };
  }
  if (pnp) {
    // Plug'n'Play runs packages from their zip archives in the cache (.pnp.cjs points there by
    // relative path): the cache is part of the installed tree, kept in the project. The variables
    // win over .yarnrc.yml (a global cache would leave .pnp.cjs pointing outside the cached paths).
    const cache = posix.join(root, '.yarn', 'cache');
    notes.push("Yarn Plug'n'Play: Slipway caches .pnp.cjs, .yarn/unplugged and the package archives (.yarn/cache) instead of node_modules.");
    return { installEnv: { YARN_ENABLE_GLOBAL_CACHE: 'false', YARN_CACHE_FOLDER: cache }, pnpCache: [cache] };
  }
  // Yarn 4 uses a global cache by default and then ignores cacheFolder: turn it off for the run
  // (the environment variables win over .yarnrc.yml).
  return separate('yarn-berry', { YARN_ENABLE_GLOBAL_CACHE: 'false', YARN_CACHE_FOLDER: path });
}

function dependencyFilesOf(files: ProjectFiles, info: PackageManagerInfo, workspaces: string[]): DependencyFile[] {
  const found: DependencyFile[] = [];
  const add = (path: string): void => {
    const content = files.read(path);
    if (content !== undefined) found.push({ path, content });
  };
  LOCKFILES.filter(([, owner]) => owner === info.manager).forEach(([file]) => add(file));
  CONFIG_FILES.forEach(add);
  files
    .list('patches')
    .filter((name) => name.endsWith('.patch'))
    .sort()
    .forEach((name) => add(`patches/${name}`));
  found.push({ path: MANIFEST_KEY_PATH, content: dependencyManifest(files, workspaces) });
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

/**
 * Files whose existence proves a restored tree is usable: `node_modules/<dep>/package.json` for the
 * root package's dependencies and devDependencies (optional ones may be absent by design), and for
 * pnpm, which links each workspace's own dependencies into its node_modules, the workspaces' too.
 * (npm and yarn hoist workspace dependencies to wherever they fit, so those are not checked.)
 */
export function verifyNodeModulesPlan(
  files: NodeProjectFiles,
  root: string,
  options: { manager?: NodeManager; workspaces?: string[] } = {}
): string[] {
  const manager = options.manager ?? detectPackageManager(files).manager;
  const dirs = manager === 'pnpm' ? ['', ...(options.workspaces ?? workspaceDirs(files))] : [''];
  const paths = new Set<string>();
  for (const dir of dirs) {
    const pkg = readPackageJson(files, dir === '' ? 'package.json' : `${dir}/package.json`);
    const names = [...Object.keys(stringRecord(pkg?.dependencies)), ...Object.keys(stringRecord(pkg?.devDependencies))];
    for (const name of names) {
      if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name)) continue; // not a name npm could install
      paths.add(posix.join(root, dir, 'node_modules', name, 'package.json'));
    }
  }
  return [...paths].sort();
}

/**
 * When a frozen install failed because package.json and the lockfile disagree, the sentence that
 * says how to fix it (with the manager's own reason when it gives one); undefined otherwise.
 */
export function frozenInstallHint(manager: NodeManager, output: string, lockfile: string = lockfileName(manager)): string | undefined {
  // eslint-disable-next-line no-control-regex -- colour codes in the package manager's output
  const text = String(output ?? '').replace(/\u001b\[[0-9;]*m/g, '');
  const outOfSync =
    /can only install packages when your package\.json and/i.test(text) ||
    /Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`/.test(text) ||
    /YN0028|The lockfile would have been modified by this install, which is explicitly forbidden/.test(text) ||
    /ERR_PNPM_OUTDATED_LOCKFILE|ERR_PNPM_LOCKFILE_CONFIG_MISMATCH|is not up to date with/.test(text);
  if (!outOfSync) return undefined;
  const reasons = syncReasons(text);
  const reason = reasons.length > 0 ? ` (${reasons.join('; ')})` : '';
  const file = manager === 'npm' && !/^(package-lock|npm-shrinkwrap)\.json$/.test(lockfile) ? 'package-lock.json' : lockfile;
  return `package.json and ${file} are out of sync${reason}. Run \`${manager} install\` locally and commit ${file}.`;
}

/** The lines where the manager says what differs (npm's Missing/Invalid, pnpm's failure reason). */
function syncReasons(text: string): string[] {
  const reasons: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const npm = /^(?:npm (?:ERR!|error)\s+)(Missing: .+|Invalid: .+)$/.exec(line.trim());
    if (npm) reasons.push(npm[1].trim());
  }
  const pnpm = /Failure reason:\s*\n\s*(.+)/.exec(text);
  if (pnpm) reasons.push(pnpm[1].trim());
  return reasons.slice(0, 5).map((reason) => (reason.length > 300 ? `${reason.slice(0, 297)}...` : reason));
}

// ---------------------------------------------------------------------------------------------
// Reading package.json scripts

/** One simple command of a shell script line, split into words. */
type Words = string[];

/** Splits a script into simple commands at `&&`, `||`, `;`, `|`, `&` (outside quotes), each into words. */
export function splitScript(script: string): Words[] {
  const commands: Words[] = [];
  let words: string[] = [];
  let word = '';
  let quoted = false;
  const endWord = (): void => {
    if (word !== '' || quoted) words.push(word);
    word = '';
    quoted = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    if (ch === "'" || ch === '"') {
      const close = script.indexOf(ch, i + 1);
      const end = close < 0 ? script.length : close;
      word += ch === '"' ? script.slice(i + 1, end).replace(/\\(["\\$`])/g, '$1') : script.slice(i + 1, end);
      quoted = true;
      i = end;
    } else if (ch === '\\' && i + 1 < script.length) {
      word += script[++i];
    } else if (/\s/.test(ch)) {
      endWord();
    } else if (ch === '&' && (word.endsWith('>') || script[i + 1] === '>')) {
      word += ch; // a redirection: 2>&1, &>file
    } else if (ch === ';' || ch === '|' || ch === '&') {
      if (script[i + 1] === ch) i++;
      endCommand();
    } else {
      word += ch;
    }
  }
  endCommand();
  return commands;
}

/** Commands that run the next word as a program (`cross-env A=1 jest`, `npx jest`, `pnpm exec jest`). */
const WRAPPERS = new Set(['cross-env', 'env', 'npx', 'pnpx', 'dotenv', 'dotenv-cli', 'time', 'nice', 'exec', 'nyc', 'c8']);

export interface ProgramCall {
  /** `jest`, `vitest`, `node`, `eslint`, … (a path's basename without `.js`). */
  program: string;
  /** Node's own options, for `node [options] script`. */
  nodeOptions: string[];
  /** The words after the program (its arguments). */
  args: string[];
}

/** What a simple command runs, seen through env assignments, wrappers and `node <bin script>`. */
export function programOf(words: Words): ProgramCall | undefined {
  let i = 0;
  while (i < words.length) {
    const word = words[i];
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) i++;
    else if (WRAPPERS.has(word)) {
      i++;
      if (word === 'dotenv' || word === 'dotenv-cli') {
        const dashes = words.indexOf('--', i);
        if (dashes >= 0) i = dashes + 1;
      }
      while (i < words.length && words[i].startsWith('-') && word !== 'env') i++;
    } else if ((word === 'pnpm' || word === 'yarn' || word === 'npm') && (words[i + 1] === 'exec' || words[i + 1] === 'dlx')) {
      i += 2;
      if (words[i] === '--') i++;
    } else break;
  }
  const program = words[i];
  if (program === undefined) return undefined;
  const name = programName(program);
  if (name !== 'node') return { program: name, nodeOptions: [], args: words.slice(i + 1) };
  let j = i + 1;
  const nodeOptions: string[] = [];
  while (j < words.length && words[j].startsWith('-')) {
    nodeOptions.push(words[j]);
    // options that take a separate value
    if (/^(-r|--require|--import|--loader|--experimental-loader|--test-reporter|--test-reporter-destination|--test-name-pattern|--env-file)$/.test(words[j]) && j + 1 < words.length) {
      nodeOptions.push(words[++j]);
    }
    j++;
  }
  const script = words[j];
  if (nodeOptions.includes('--test') || script === undefined) return { program: 'node', nodeOptions, args: words.slice(j) };
  const inner = programName(script);
  if (inner === 'jest' || inner === 'vitest') return { program: inner, nodeOptions, args: words.slice(j + 1) };
  return { program: 'node', nodeOptions, args: words.slice(j) };
}

/** `./node_modules/.bin/jest` → jest; `node_modules/jest/bin/jest.js` → jest; `vitest.mjs` → vitest. */
function programName(word: string): string {
  const base = posix.basename(word.replace(/\\/g, '/')).replace(/\.(c|m)?js$/, '');
  if (/(^|\/)jest\/bin\/jest(\.js)?$/.test(word)) return 'jest';
  if (/(^|\/)vitest\/vitest(\.mjs)?$/.test(word)) return 'vitest';
  return base;
}

export type NodeTestRunner = 'jest' | 'vitest' | 'node' | 'other' | 'none';

/** npm writes this `test` script into every new package.json. */
const NPM_DEFAULT_TEST = /no test specified/;

/**
 * Which runner the `test` script runs. Arguments are appended to the script's last command, so
 * jest and vitest count only there; node's runner takes its reporters from NODE_OPTIONS, so
 * `node --test` counts anywhere in the script.
 */
export function detectNodeTestRunner(script: string | undefined, installed: { jest: boolean; vitest: boolean }): NodeTestRunner {
  if (script === undefined || script.trim() === '' || NPM_DEFAULT_TEST.test(script)) return 'none';
  const calls = splitScript(script).map(programOf);
  const last = calls[calls.length - 1];
  if (last?.program === 'jest' && installed.jest) return 'jest';
  if (last?.program === 'vitest' && installed.vitest && !/^(bench|list|typecheck|init)$/.test(last.args[0] ?? '')) return 'vitest';
  if (calls.some((call) => call?.program === 'node' && call.nodeOptions.includes('--test'))) return 'node';
  return 'other';
}

// ---------------------------------------------------------------------------------------------
// Tests

export interface NodeTestPlanInput {
  manager: ScriptRunner;
  scripts: Record<string, string>;
  runner: NodeTestRunner;
  /** Absolute folder for the reports. */
  reportDir: string;
  /** Absolute project directory: a report path the test script already sets is relative to it. */
  root?: string;
  coverage: boolean;
  /** @vitest/coverage-v8 (or -istanbul) is installed. */
  hasVitestCoverage: boolean;
  testCommand?: string[];
  testReportPatterns: string[];
  /** The NODE_OPTIONS the tests would inherit; Slipway's additions for node's runner go after it. */
  nodeOptions?: string;
  /**
   * The project's `node` accepts --experimental-test-coverage in NODE_OPTIONS
   * (`process.allowedNodeEnvironmentFlags.has('--experimental-test-coverage')`; false on Node 20).
   */
  nodeCoverageInOptions?: boolean;
}

export interface NodeTestPlan {
  runner: NodeTestRunner | 'custom';
  /** Run in order; the first one's exit code is the tests' verdict. */
  commands: Command[];
  /** JUnit XML files (absolute) or, for a custom command / other runner, globs relative to the project. */
  junit: string[];
  /** jest --json output (absolute). */
  jestJson?: string;
  /** Cobertura XML (absolute). */
  coverageXml?: string;
  /** LCOV (absolute). */
  lcov?: string;
  coverageNote?: string;
  /** Other things a person should know (a report Slipway could not add). */
  notes: string[];
}

/** `npm test -- a b`, `yarn run test -- a b` (Yarn 1 eats its own flags without `--`), `yarn run test a b` (Yarn 2+ would pass `--` on), `pnpm run test a b` (`pnpm test -- a` passes `--` on in pnpm 10). */
export function runScript(runner: ScriptRunner, script: string, args: string[]): Command {
  const extra = args.length === 0 ? [] : runner.manager === 'npm' || (runner.manager === 'yarn' && !runner.yarnBerry) ? ['--', ...args] : args;
  const base = runner.manager === 'npm' && script === 'test' ? ['test'] : ['run', script];
  return managerCommand(runner, [...base, ...extra]);
}

/** Option names a command already sets: `--outputFile=x`, `--output-file x`, `--no-coverage` → outputFile, coverage. */
interface SetOptions {
  has(name: string): boolean;
  value(name: string): string | undefined;
  values(name: string): string[];
}

function setOptions(args: string[]): SetOptions {
  const found: Array<[string, string | undefined]> = [];
  const camel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  for (let i = 0; i < args.length; i++) {
    const match = /^--(?:no-)?([A-Za-z][\w.-]*)(?:=(.*))?$/.exec(args[i]);
    if (!match) continue;
    const next = args[i + 1];
    const value = match[2] ?? (next !== undefined && !next.startsWith('-') ? next : undefined);
    found.push([camel(match[1]), value]);
  }
  return {
    has: (name) => found.some(([key]) => key === name || key.startsWith(`${name}.`)),
    value: (name) => found.find(([key]) => key === name)?.[1],
    values: (name) => found.filter(([key]) => key === name).map(([, value]) => value ?? '')
  };
}

function resolveIn(root: string | undefined, path: string): string {
  if (path.startsWith('/') || root === undefined) return path;
  return posix.join(root, path);
}

const COVERAGE_OFF = 'coverage is off (input `coverage: false`)';

export function planNodeTests(input: NodeTestPlanInput): NodeTestPlan {
  const { manager, scripts, runner, testCommand, testReportPatterns } = input;
  if (testCommand && testCommand.length > 0) {
    const [command, ...args] = testCommand;
    return {
      runner: 'custom',
      commands: [{ command, args }],
      junit: testReportPatterns,
      coverageNote: 'coverage is measured only with the detected test command; a custom test-command reports its own',
      notes: []
    };
  }
  if (runner === 'none') {
    return { runner, commands: [], junit: [], coverageNote: 'no `test` script in package.json', notes: ['package.json has no `test` script (or only npm\'s placeholder): add one, e.g. "test": "jest"'] };
  }
  const calls = splitScript(scripts.test ?? '').map(programOf);
  const last = calls[calls.length - 1];
  if (runner === 'jest' && last) return planJest(input, last);
  if (runner === 'vitest' && last) return planVitest(input, last);
  if (runner === 'node') return planNodeRunner(input, calls);
  return {
    runner: 'other',
    commands: [runScript(manager, 'test', [])],
    junit: testReportPatterns,
    coverageNote: 'coverage is measured only when the `test` script runs jest, vitest or node --test',
    notes: testReportPatterns.length > 0 ? [] : ['the `test` script does not run jest, vitest or node --test directly, so Slipway reads only its exit code (set `test-report` to the JUnit files it writes)']
  };
}

function planJest(input: NodeTestPlanInput, call: ProgramCall): NodeTestPlan {
  const set = setOptions(call.args);
  const args = ['--ci'];
  // jest rejects a string option given twice (outputFile, coverageDirectory): read the script's own.
  const ownOutput = set.value('outputFile');
  const jestJson = ownOutput ? resolveIn(input.root, ownOutput) : posix.join(input.reportDir, 'jest.json');
  if (!set.has('json')) args.push('--json');
  if (!ownOutput) args.push(`--outputFile=${jestJson}`);
  args.push('--testLocationInResults');
  let coverageXml: string | undefined;
  if (input.coverage) {
    const ownDir = set.value('coverageDirectory');
    coverageXml = posix.join(ownDir ? resolveIn(input.root, ownDir) : posix.join(input.reportDir, 'coverage'), 'cobertura-coverage.xml');
    args.push('--coverage', '--coverageReporters=cobertura', '--coverageReporters=text-summary');
    if (!ownDir) args.push(`--coverageDirectory=${posix.join(input.reportDir, 'coverage')}`);
  }
  return {
    runner: 'jest',
    commands: [runScript(input.manager, 'test', args)],
    junit: [],
    jestJson,
    ...(coverageXml ? { coverageXml } : { coverageNote: COVERAGE_OFF }),
    notes: []
  };
}

function planVitest(input: NodeTestPlanInput, call: ProgramCall): NodeTestPlan {
  const set = setOptions(call.args);
  const args: string[] = [];
  // vitest rejects any single-valued option given twice (`--run`, `--coverage.enabled`, …).
  if (call.args[0] !== 'run' && !set.has('run') && !set.has('watch')) args.push('--run');
  const reporters = set.values('reporter');
  let junit: string[] = [];
  const notes: string[] = [];
  const ownJunit = set.value('outputFile.junit') ?? (reporters.includes('junit') ? set.value('outputFile') : undefined);
  if (ownJunit) {
    junit = [resolveIn(input.root, ownJunit)];
    if (!reporters.includes('junit')) args.push('--reporter=junit');
  } else if (set.has('outputFile')) {
    notes.push('the `test` script sets --outputFile, so Slipway cannot add its JUnit report; test details come from the exit code only');
  } else {
    junit = [posix.join(input.reportDir, 'junit.xml')];
    if (reporters.length === 0) args.push('--reporter=default');
    args.push('--reporter=junit', `--outputFile.junit=${junit[0]}`);
  }
  let coverageXml: string | undefined;
  let coverageNote: string | undefined;
  if (!input.coverage) coverageNote = COVERAGE_OFF;
  else if (!input.hasVitestCoverage) coverageNote = 'no coverage provider installed: add @vitest/coverage-v8 to devDependencies to measure coverage';
  else {
    const ownDir = set.value('coverage.reportsDirectory');
    coverageXml = posix.join(ownDir ? resolveIn(input.root, ownDir) : posix.join(input.reportDir, 'coverage'), 'cobertura-coverage.xml');
    if (!set.has('coverage.enabled')) args.push('--coverage.enabled');
    // Without it vitest writes no coverage when a test fails, and coverage-min could not be judged.
    if (!set.has('coverage.reportOnFailure')) args.push('--coverage.reportOnFailure');
    args.push('--coverage.reporter=cobertura', '--coverage.reporter=text-summary');
    if (!ownDir) args.push(`--coverage.reportsDirectory=${posix.join(input.reportDir, 'coverage')}`);
  }
  return {
    runner: 'vitest',
    commands: [runScript(input.manager, 'test', args)],
    junit,
    ...(coverageXml ? { coverageXml } : {}),
    ...(coverageNote ? { coverageNote } : {}),
    notes
  };
}

/**
 * node --test: reporters go in NODE_OPTIONS (allowed there since Node 20), which works whatever
 * the script passes and however many test files run: child test processes report to the parent
 * (NODE_TEST_CONTEXT=child-v8), so one JUnit file holds every test. Coverage needs
 * --experimental-test-coverage, which Node 20 refuses in NODE_OPTIONS: it is passed as an argument
 * when the script's `node --test` comes last and has no file arguments (an option after a file
 * would be read as a file name).
 */
function planNodeRunner(input: NodeTestPlanInput, calls: Array<ProgramCall | undefined>): NodeTestPlan {
  const testCalls = calls.filter((call): call is ProgramCall => call?.program === 'node' && call.nodeOptions.includes('--test'));
  const own = testCalls.flatMap((call) => call.nodeOptions);
  const reporters = own.filter((o, i) => o.startsWith('--test-reporter=') || (o === '--test-reporter' && own[i + 1] !== undefined)).length;
  const destinations = own.filter((o) => o.startsWith('--test-reporter-destination')).length;
  const junit = posix.join(input.reportDir, 'junit.xml');
  const lcov = posix.join(input.reportDir, 'lcov.info');
  const options: string[] = [];
  const args: string[] = [];
  let junitFiles: string[] = [];
  let coverageNote: string | undefined;
  const notes: string[] = [];

  // Reporters and destinations pair up by position, NODE_OPTIONS first; the counts must match.
  const canAddReporters = reporters === destinations || (reporters === 1 && destinations === 0);
  if (canAddReporters) {
    options.push('--test-reporter=junit', nodeOption('--test-reporter-destination', junit));
    junitFiles = [junit];
    if (reporters === 0) options.push('--test-reporter=spec', '--test-reporter-destination=stdout');
  } else {
    notes.push('the `test` script gives node --test several reporters without matching destinations, so Slipway cannot add its JUnit report');
    coverageNote = 'Slipway cannot add the lcov reporter to the `test` script (see above)';
  }

  let lcovFile: string | undefined;
  const last = calls[calls.length - 1];
  const lastIsTest = last !== undefined && testCalls.includes(last);
  if (!input.coverage) coverageNote = COVERAGE_OFF;
  else if (!canAddReporters) {
    // no reporter can be added, lcov included (the note says so)
  } else if (own.includes('--experimental-test-coverage') || input.nodeCoverageInOptions) {
    if (!own.includes('--experimental-test-coverage')) options.push('--experimental-test-coverage');
    lcovFile = lcov;
  } else if (lastIsTest && last.args.length === 0) {
    args.push('--experimental-test-coverage');
    lcovFile = lcov;
  } else {
    coverageNote =
      'node --test measures coverage only with --experimental-test-coverage on its command line (Node 20 refuses it in NODE_OPTIONS), ' +
      'and Slipway cannot append it after the file arguments of the `test` script: add --experimental-test-coverage to the script to measure coverage';
  }
  if (lcovFile) options.push('--test-reporter=lcov', nodeOption('--test-reporter-destination', lcovFile));
  // The trailing stdout destination pairs with the one reporter the script names without a destination.
  if (canAddReporters && reporters === 1 && destinations === 0) options.push('--test-reporter-destination=stdout');

  const command = runScript(input.manager, 'test', args);
  if (options.length > 0) {
    const nodeOptions = [input.nodeOptions?.trim(), ...options].filter(Boolean).join(' ');
    command.env = { ...command.env, NODE_OPTIONS: nodeOptions };
  }
  return {
    runner: 'node',
    commands: [command],
    junit: junitFiles,
    ...(lcovFile ? { lcov: lcovFile } : {}),
    ...(coverageNote ? { coverageNote } : {}),
    notes
  };
}

/** `--name=value` for NODE_OPTIONS, double-quoted when the value has blanks or quotes. */
function nodeOption(name: string, value: string): string {
  return /[\s"'\\]/.test(value) ? `${name}="${value.replace(/(["\\])/g, '\\$1')}"` : `${name}=${value}`;
}

// ---------------------------------------------------------------------------------------------
// Lint

export interface NodeLintPlan {
  linter: 'eslint' | 'script' | 'custom';
  command: Command;
  /** Exit codes that mean "ran and reported findings (or none)"; others mean the linter broke. */
  okExitCodes: number[];
  parse: (stdout: string, paths: PathOptions) => FindingsParse;
  /** The `lint` script: its exit code is all there is (non-zero = findings or broken; no details). */
  exitCodeOnly: boolean;
}

export interface NodeLintInput {
  manager: ScriptRunner;
  scripts: Record<string, string>;
  /** eslint is installed in the project (node_modules/eslint/package.json exists). */
  hasEslint: boolean;
  /** Absolute project directory. */
  root: string;
  lintCommand?: string[];
  /** To tell an eslintrc-only project (ESLint 9 needs ESLINT_USE_FLAT_CONFIG=false for it). */
  files?: ProjectFiles;
  /** Yarn Plug'n'Play: no node_modules/.bin, eslint runs as `yarn eslint`. */
  pnp?: boolean;
}

const FLAT_CONFIGS = ['eslint.config.js', 'eslint.config.mjs', 'eslint.config.cjs', 'eslint.config.ts', 'eslint.config.mts', 'eslint.config.cts'];
const LEGACY_CONFIGS = ['.eslintrc', '.eslintrc.js', '.eslintrc.cjs', '.eslintrc.json', '.eslintrc.yaml', '.eslintrc.yml'];

const noFindings = (): FindingsParse => ({ findings: [], warnings: [] });

/** Pure: which linter runs and how; undefined when the project has none. */
export function planNodeLint({ manager, scripts, hasEslint, root, lintCommand, files, pnp }: NodeLintInput): NodeLintPlan | undefined {
  if (lintCommand && lintCommand.length > 0) {
    const [command, ...args] = lintCommand;
    return { linter: 'custom', command: { command, args }, okExitCodes: [0, 1], parse: parseLineFindings, exitCodeOnly: false };
  }
  if (hasEslint) {
    // eslint picks the flat or the legacy configuration itself; exit 1 = findings, 2 = broken.
    const args = ['--format', 'json', '.'];
    // Under Plug'n'Play eslint would lint Yarn's own generated files (.pnp.cjs) unless told not to.
    const command: Command = pnp
      ? managerCommand(manager, ['eslint', '--format', 'json', '--ignore-pattern', '.pnp.*', '--ignore-pattern', '.yarn/', '.'])
      : { command: posix.join(root, 'node_modules', '.bin', 'eslint'), args };
    if (files && usesLegacyConfigOnly(files)) command.env = { ...command.env, ESLINT_USE_FLAT_CONFIG: 'false' };
    return { linter: 'eslint', command, okExitCodes: [0, 1], parse: parseEslintJson, exitCodeOnly: false };
  }
  if (scripts.lint !== undefined && scripts.lint.trim() !== '') {
    return { linter: 'script', command: runScript(manager, 'lint', []), okExitCodes: [0], parse: noFindings, exitCodeOnly: true };
  }
  return undefined;
}

/** An .eslintrc (or package.json eslintConfig) and no eslint.config.*: ESLint 9 reads it only when told. */
export function usesLegacyConfigOnly(files: ProjectFiles): boolean {
  if (FLAT_CONFIGS.some((name) => files.read(name) !== undefined)) return false;
  return LEGACY_CONFIGS.some((name) => files.read(name) !== undefined) || readPackageJson(files)?.eslintConfig !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Installed tools

/** Files that show a tool is installed (relative to the project root); the stage checks existence. */
export const NODE_TOOL_MARKERS = {
  jest: 'node_modules/jest/package.json',
  vitest: 'node_modules/vitest/package.json',
  vitestCoverage: ['node_modules/@vitest/coverage-v8/package.json', 'node_modules/@vitest/coverage-istanbul/package.json'],
  eslint: 'node_modules/eslint/package.json'
} as const;

export interface NodeTools {
  jest: boolean;
  vitest: boolean;
  vitestCoverage: boolean;
  eslint: boolean;
}

/**
 * Which tools package.json declares (dependencies or devDependencies). Under Yarn Plug'n'Play there
 * is no node_modules to look in, and a tool the project does not declare cannot load anyway.
 */
export function declaredNodeTools(files: ProjectFiles): NodeTools {
  const pkg = readPackageJson(files);
  const names = new Set([...Object.keys(stringRecord(pkg?.dependencies)), ...Object.keys(stringRecord(pkg?.devDependencies))]);
  return {
    jest: names.has('jest'),
    vitest: names.has('vitest'),
    vitestCoverage: names.has('@vitest/coverage-v8') || names.has('@vitest/coverage-istanbul'),
    eslint: names.has('eslint')
  };
}

/** Which tools the installed tree has, given an existence check on project-relative paths. */
export function nodeTools(exists: (relativePath: string) => boolean): NodeTools {
  return {
    jest: exists(NODE_TOOL_MARKERS.jest),
    vitest: exists(NODE_TOOL_MARKERS.vitest),
    vitestCoverage: NODE_TOOL_MARKERS.vitestCoverage.some(exists),
    eslint: exists(NODE_TOOL_MARKERS.eslint)
  };
}
