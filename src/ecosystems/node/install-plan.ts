// What a Node project needs installed, and how: node_modules (or Yarn Plug'n'Play files) in the
// project, installed from the lockfile (or from package.json when it keeps none). A pure decision
// over the project's files; every flag was checked against the real tools (npm 11, yarn 1.22 and
// 4.5, pnpm 8/9/10, Node 20).
import { posix } from 'node:path';
import { SlipwayError } from '../../errors.js';
import type { DependencyFile } from '../../cache-key.js';
import type { Command, InstallPlan, ProjectFiles } from '../ecosystem.js';
import { userCommand } from '../shared.js';
import { planCorepackShims, type CorepackShims } from './corepack-shims.js';
import { dependencyFilesOf } from './key-files.js';
import { planNoLockfileInstall } from './no-lockfile.js';
import { readPackageJson, stringRecord } from './package-json.js';
import {
  detectPackageManager,
  lockfileName,
  managerCommand,
  yarnLinker,
  type NodeManager,
  type PackageManagerInfo,
  type ScriptRunner
} from './package-manager.js';
import { workspaceDirs } from './workspaces.js';

export interface NodeInstallInput {
  files: ProjectFiles;
  /** Absolute project directory. */
  root: string;
  /** Absolute folder for the package manager's download cache (restored on a key miss). */
  downloadsDir: string;
  /** Tools found on PATH. */
  available: { yarn: boolean; pnpm: boolean; corepack: boolean };
  /** The user's install-command, one command a line. */
  installCommands?: string[][];
  /** The run's own PATH, extended with node_modules/.bin. */
  pathEnv?: string;
  /** The run's own folder: corepack's shims go there when the manager runs through corepack. */
  stateDir?: string;
}

/** Node's decision; the install stage's plan takes most of its fields as they are. */
export interface NodeInstallPlan extends Pick<InstallPlan, 'commands' | 'cachePaths' | 'stampPath' | 'downloads' | 'installEnv' | 'env' | 'notes'> {
  manager: NodeManager;
  installer: NodeManager | 'custom';
  /** How scripts run (`npm test`, `corepack pnpm run test`): the test and lint plans need it. */
  runner: ScriptRunner;
  packageManager: PackageManagerInfo;
  /** What decides the installed tree, for the cache key (sorted by path). */
  dependencyFiles: DependencyFile[];
  /** Absolute files whose existence proves a restored tree is usable. */
  verify: string[];
  binDir: string;
  /** Yarn 2+ Plug'n'Play: there is no node_modules; bins run through `yarn <bin>`. */
  pnp: boolean;
  /** yarn/pnpm through corepack: the shims that put it on every command's PATH (made before the install). */
  corepackShims?: CorepackShims;
}

const INSTALL_ARGS: Record<'npm' | 'yarn' | 'berry' | 'pnpm', string[]> = {
  // npm 11 revalidates every package's metadata even for `ci`; with the download cache restored,
  // --prefer-offline skips that (the lockfile pins every tarball by integrity anyway).
  npm: ['ci', '--prefer-offline', '--no-audit', '--no-fund'],
  yarn: ['install', '--frozen-lockfile', '--non-interactive'],
  berry: ['install', '--immutable'],
  pnpm: ['install', '--frozen-lockfile']
};

export function planNodeInstall({ files, root, downloadsDir, available, installCommands, pathEnv, stateDir }: NodeInstallInput): NodeInstallPlan {
  const info = detectPackageManager(files);
  const notes: string[] = [];
  const workspaces = workspaceDirs(files);
  const pnp = info.yarnBerry && yarnLinker(files) === 'pnp';
  const binDir = posix.join(root, 'node_modules', '.bin');
  const custom = installCommands !== undefined && installCommands.length > 0;

  if (info.otherLockfiles.length > 0) {
    const used = info.lockfile ?? 'package.json';
    notes.push(
      `Found ${[info.lockfile, ...info.otherLockfiles].filter(Boolean).join(' and ')}; installing with ${info.manager} from ${used}. Delete the lockfile you do not use, or set "packageManager" in package.json.`
    );
  }
  // Without a lockfile (by design in many libraries) the install resolves from package.json.
  const unlocked = !info.lockfile && !custom ? planNoLockfileInstall(info, files) : undefined;
  if (unlocked) notes.push(unlocked.note);

  const runner = chooseRunner(info, available, notes, custom);
  const commands: Command[] = custom
    ? installCommands.map(userCommand)
    : [managerCommand(runner, unlocked?.args ?? INSTALL_ARGS[runner.manager === 'yarn' ? (runner.yarnBerry ? 'berry' : 'yarn') : runner.manager])];
  const shims = stateDir !== undefined ? planCorepackShims(runner, stateDir) : undefined;

  const moduleDirs = ['', ...workspaces].map((dir) => posix.join(root, dir, 'node_modules'));
  const caches = cacheFolders(files, info, pnp, root, downloadsDir, notes);
  // The stamp lives inside what is cached (under Plug'n'Play, listed in the cached paths itself).
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
    env: { PATH: [binDir, shims?.dir, pathEnv].filter((dir) => dir).join(posix.delimiter), ...shims?.env },
    binDir,
    pnp,
    ...(shims ? { corepackShims: shims } : {}),
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
    notes.push(
      'Yarn 2+ project and corepack is not available: running the yarn on PATH, which works only if it is Yarn 2+ or the project commits its release (yarnPath in .yarnrc.yml).'
    );
  }
  if (!installed && !custom) {
    throw new SlipwayError(
      `${info.lockfile ?? manager} needs ${manager}, which is not installed, and corepack is not available to fetch it. ` +
        `Install ${manager} before Slipway (e.g. \`npm install -g ${manager}\` or ${manager === 'pnpm' ? 'pnpm/action-setup' : 'corepack enable'}).`
    );
  }
  return { manager, yarnBerry, corepack: false };
}

/**
 * Where the manager keeps its downloads. No download cache when the project keeps its own (Yarn
 * zero-installs) or when it is the installed tree itself (Plug'n'Play runs packages from their zips).
 */
interface CacheFolders {
  downloads?: NodeInstallPlan['downloads'];
  installEnv: Record<string, string>;
  /** Under Plug'n'Play, the zip cache the installed tree lives in (part of the environment). */
  pnpCache: string[];
}

function cacheFolders(files: ProjectFiles, info: PackageManagerInfo, pnp: boolean, root: string, path: string, notes: string[]): CacheFolders {
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

/**
 * Files whose existence proves a restored tree is usable: `node_modules/<dep>/package.json` for the
 * root package's dependencies and devDependencies (optional ones may be absent by design), and for
 * pnpm, which links each workspace's own dependencies into its node_modules, the workspaces' too.
 * (npm and yarn hoist workspace dependencies to wherever they fit, so those are not checked.)
 */
export function verifyNodeModulesPlan(files: ProjectFiles, root: string, options: { manager?: NodeManager; workspaces?: string[] } = {}): string[] {
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
