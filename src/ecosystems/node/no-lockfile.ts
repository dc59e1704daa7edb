// A Node project without a lockfile (libraries often keep none, `.npmrc` `package-lock=false`):
// installed from package.json without writing a lockfile into the checkout. Flags checked with
// npm 11, Yarn 1.22 and pnpm 9/10 (pnpm's --no-lockfile also works where CI makes it frozen).
import { SlipwayError } from '../../errors.js';
import type { ProjectFiles } from '../ecosystem.js';
import { lockfileName, type PackageManagerInfo } from './package-manager.js';

export interface NoLockfileInstall {
  args: string[];
  note: string;
}

const ARGS = {
  npm: ['install', '--no-package-lock', '--no-audit', '--no-fund'],
  yarn: ['install', '--no-lockfile', '--non-interactive'],
  pnpm: ['install', '--no-lockfile']
};

/** `package-lock=false` (or `false`/`lockfile=false` for pnpm) in the project's .npmrc. */
export function lockfileOffByDesign(files: ProjectFiles): boolean {
  return /^\s*(package-lock|lockfile)\s*=\s*false\s*$/m.test(files.read('.npmrc') ?? '');
}

/** How to install without a lockfile, and the note that says what it costs. Yarn 2+ has no such mode. */
export function planNoLockfileInstall(info: PackageManagerInfo, files: ProjectFiles): NoLockfileInstall {
  const wanted = lockfileName(info.manager);
  if (info.yarnBerry) {
    throw new SlipwayError(
      `No yarn.lock: Yarn 2+ cannot install without writing one. Run \`yarn install\` and commit yarn.lock. ` +
        'If this package is part of a workspace, set `working-directory` to the workspace root, where the lockfile is.'
    );
  }
  const why = lockfileOffByDesign(files) ? 'The project keeps no lockfile (.npmrc)' : `No lockfile (${wanted})`;
  return {
    args: ARGS[info.manager],
    note:
      `${why}: installed from package.json without writing one, so dependency versions may drift between runs ` +
      `(the cache is keyed by package.json and .npmrc). Commit ${wanted} to install the same versions every time.`
  };
}
