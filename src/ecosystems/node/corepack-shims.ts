// yarn or pnpm run through corepack are not on PATH, so a script that calls `pnpm lint` would fail
// with "pnpm: not found". corepack's own shims, in a folder of the run put first on PATH, fix that.
import { posix } from 'node:path';
import type { Command } from '../ecosystem.js';
import type { ScriptRunner } from './package-manager.js';

export interface CorepackShims {
  /** The folder for the shims: it must exist before `enable` runs. */
  dir: string;
  /** One call, offline (it only writes links): `corepack enable --install-directory <dir> pnpm`. */
  enable: Command;
  /** Added to every command's environment: the shims first, and corepack never prompts. */
  env: Record<string, string>;
}

/** Undefined when the manager runs by itself (npm, or yarn/pnpm installed on PATH). */
export function planCorepackShims(runner: ScriptRunner, stateDir: string): CorepackShims | undefined {
  if (!runner.corepack) return undefined;
  const dir = posix.join(stateDir, 'corepack-shims');
  return {
    dir,
    enable: { command: 'corepack', args: ['enable', '--install-directory', dir, runner.manager] },
    env: { COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' }
  };
}
