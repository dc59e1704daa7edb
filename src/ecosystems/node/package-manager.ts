// Which package manager a Node project uses (its lockfile, the packageManager field) and how its
// commands run: the manager itself or through corepack.
import type { Command, ProjectFiles } from '../ecosystem.js';
import { readPackageJson } from './package-json.js';

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

export const LOCKFILES: ReadonlyArray<[string, NodeManager]> = [
  ['npm-shrinkwrap.json', 'npm'],
  ['package-lock.json', 'npm'],
  ['yarn.lock', 'yarn'],
  ['pnpm-lock.yaml', 'pnpm']
];

const PACKAGE_MANAGER_FIELD = /^(npm|yarn|pnpm)@([^+\s]+)/;

export function detectPackageManager(files: ProjectFiles): PackageManagerInfo {
  const pkg = readPackageJson(files);
  const present = LOCKFILES.filter(([file]) => files.read(file) !== undefined);
  const field = typeof pkg?.packageManager === 'string' ? PACKAGE_MANAGER_FIELD.exec(pkg.packageManager.trim()) : null;
  const manager: NodeManager = field ? (field[1] as NodeManager) : (present[0]?.[1] ?? 'npm');
  const version = field?.[2];
  const lockfile = present.find(([, owner]) => owner === manager)?.[0];
  const otherLockfiles = present.filter(([, owner]) => owner !== manager).map(([file]) => file);
  return {
    manager,
    ...(version ? { version } : {}),
    ...(lockfile ? { lockfile } : {}),
    yarnBerry: manager === 'yarn' && isYarnBerry(files, version),
    otherLockfiles
  };
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

export function lockfileName(manager: NodeManager): string {
  return manager === 'npm' ? 'package-lock.json' : manager === 'yarn' ? 'yarn.lock' : 'pnpm-lock.yaml';
}

/** Never prompt before corepack downloads the manager (a CI log has nobody to answer). */
const COREPACK_ENV = { COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' };

/** `npm …`, `yarn …`, `pnpm …`, or the same through `corepack`. */
export function managerCommand(runner: ScriptRunner, args: string[]): Command {
  return runner.corepack ? { command: 'corepack', args: [runner.manager, ...args], env: { ...COREPACK_ENV } } : { command: runner.manager, args };
}

/** `npm test -- a b`, `yarn run test -- a b` (Yarn 1 eats its own flags without `--`), `yarn run test a b` (Yarn 2+ would pass `--` on), `pnpm run test a b` (`pnpm test -- a` passes `--` on in pnpm 10). */
export function runScript(runner: ScriptRunner, script: string, args: string[]): Command {
  const extra = args.length === 0 ? [] : runner.manager === 'npm' || (runner.manager === 'yarn' && !runner.yarnBerry) ? ['--', ...args] : args;
  const base = runner.manager === 'npm' && script === 'test' ? ['test'] : ['run', script];
  return managerCommand(runner, [...base, ...extra]);
}
