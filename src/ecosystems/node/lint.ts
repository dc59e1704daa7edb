// How a Node project is linted: eslint when installed (on what the `lint` script names), else its
// `lint` script, else lint-command.
import { posix } from 'node:path';
import { parseEslintJson, type FindingsParse } from '../../reports/findings.js';
import type { Command, LintPlan, ProjectFiles } from '../ecosystem.js';
import { customLintPlan } from '../shared.js';
import { eslintCallOf } from './lint-targets.js';
import { readPackageJson } from './package-json.js';
import { managerCommand, runScript, type ScriptRunner } from './package-manager.js';

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

export const ADD_NODE_LINTER = 'Add eslint to devDependencies (or a `lint` script) to lint on every run.';

/** Pure: which linter runs and how; undefined when the project has none. */
export function planNodeLint({ manager, scripts, hasEslint, root, lintCommand, files, pnp }: NodeLintInput): LintPlan | undefined {
  if (lintCommand && lintCommand.length > 0) return customLintPlan(lintCommand);
  if (hasEslint) {
    // eslint picks the flat or the legacy configuration itself; exit 1 = findings, 2 = broken.
    // The files the project lints are what its `lint` script names; `.` when nothing says otherwise.
    const call = eslintCallOf(scripts);
    const targets = call && call.targets.length > 0 ? call.targets : ['.'];
    const options = [...(call?.options ?? []), '--format', 'json'];
    // Under Plug'n'Play eslint would lint Yarn's own generated files (.pnp.cjs) unless told not to.
    const command: Command = pnp
      ? managerCommand(manager, ['eslint', ...options, '--ignore-pattern', '.pnp.*', '--ignore-pattern', '.yarn/', ...targets])
      : { command: posix.join(root, 'node_modules', '.bin', 'eslint'), args: [...options, ...targets] };
    if (files && usesLegacyConfigOnly(files)) command.env = { ...command.env, ESLINT_USE_FLAT_CONFIG: 'false' };
    return { linter: 'eslint', command, okExitCodes: [0, 1], parse: parseEslintJson, exitCodeOnly: false };
  }
  if (scripts.lint !== undefined && scripts.lint.trim() !== '') {
    return { linter: 'lint script', command: runScript(manager, 'lint', []), okExitCodes: [0], parse: noFindings, exitCodeOnly: true };
  }
  return undefined;
}

/** An .eslintrc (or package.json eslintConfig) and no eslint.config.*: ESLint 9 reads it only when told. */
export function usesLegacyConfigOnly(files: ProjectFiles): boolean {
  if (FLAT_CONFIGS.some((name) => files.read(name) !== undefined)) return false;
  return LEGACY_CONFIGS.some((name) => files.read(name) !== undefined) || readPackageJson(files)?.eslintConfig !== undefined;
}
