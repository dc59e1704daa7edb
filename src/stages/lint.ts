// Lint stage: ruff, else flake8, else the user's lint-command. Findings are reported, never fatal,
// unless the user asked for `lint-blocking: true`.
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import type { Command, PythonTools } from '../ecosystems/python.js';
import type { Finding, StageResult } from '../model.js';
import { parseFlake8, parseLineFindings, parseRuffJson, type FindingsParse } from '../reports/findings.js';
import type { PathOptions } from '../reports/paths.js';
import { StageLog } from '../stage-log.js';
import { planNodeLint } from '../ecosystems/node.js';
import { diskProjectFiles } from '../project-files.js';
import type { Environment, PythonEnvironment } from './install.js';

export type Linter = 'ruff' | 'flake8' | 'eslint' | 'lint script' | 'custom';

export interface LintPlan {
  linter: Linter;
  command: Command;
  /** Exit codes that mean "ran and reported findings (or none)"; others mean the linter broke. */
  okExitCodes: number[];
  parse: (stdout: string, paths: PathOptions) => FindingsParse;
}

/** Folders a linter must never read: environments, build output, caches. */
const NEVER_LINTED = ['.venv', 'venv', '.tox', '.nox', 'build', 'dist', 'node_modules', '.eggs', '__pycache__'];

/** Pure: which linter runs and how; undefined when the project has none. */
export function planPythonLint(config: Pick<Config, 'lintCommand'>, tools: PythonTools, environment: Pick<PythonEnvironment, 'python' | 'venv'>): LintPlan | undefined {
  if (config.lintCommand) {
    const [command, ...args] = config.lintCommand;
    return { linter: 'custom', command: { command, args }, okExitCodes: [0, 1], parse: parseLineFindings };
  }
  if (tools.ruff) {
    // ruff reads the project's own configuration and already skips the usual environment folders.
    return {
      linter: 'ruff',
      command: { command: `${environment.venv}/bin/ruff`, args: ['check', '--output-format=json', '--no-cache', '.'] },
      okExitCodes: [0, 1],
      parse: parseRuffJson
    };
  }
  if (tools.flake8) {
    // --extend-exclude adds to the project's own exclude list instead of replacing it.
    return {
      linter: 'flake8',
      command: { command: environment.python, args: ['-m', 'flake8', `--extend-exclude=${NEVER_LINTED.join(',')}`, '.'] },
      okExitCodes: [0, 1],
      parse: parseFlake8
    };
  }
  return undefined;
}

export interface LintOutcome {
  stage: StageResult;
  log: StageLog;
  findings: Finding[];
}

/** The ecosystem's lint plan for this environment. */
function planLint(config: Config, environment: Environment): (LintPlan & { exitCodeOnly?: boolean }) | undefined {
  if (environment.ecosystem === 'python') return planPythonLint(config, environment.tools, environment);
  const plan = planNodeLint({
    manager: environment.runner,
    scripts: environment.scripts,
    hasEslint: environment.tools.eslint,
    root: environment.root,
    lintCommand: config.lintCommand,
    files: diskProjectFiles(environment.root),
    pnp: environment.pnp
  });
  return plan && { ...plan, linter: plan.linter === 'script' ? 'lint script' : plan.linter };
}

export async function runLint(config: Config, context: RunContext, ports: Ports, environment: Environment): Promise<LintOutcome> {
  const started = Date.now();
  const log = new StageLog(ports.runner);
  const done = (status: StageResult['status'], headline: string, findings: Finding[] = [], details?: string[]): LintOutcome => ({
    stage: { name: 'lint', status, durationMs: Date.now() - started, headline, details },
    log,
    findings
  });
  const plan = planLint(config, environment);
  if (!plan) {
    const how = environment.ecosystem === 'python' ? 'Add ruff (or flake8) to your dev requirements' : 'Add eslint to devDependencies (or a `lint` script)';
    return done('skipped', 'no linter installed', [], [`${how} to lint on every run.`]);
  }

  const result = await log.run(plan.command.command, plan.command.args, {
    cwd: config.workingDirectory,
    env: { ...environment.env, ...plan.command.env }
  });
  if (plan.exitCodeOnly) {
    // A lint script tells only pass or fail: no findings to annotate.
    return result.code === 0 ? done('success', 'lint script passed') : done(config.lintBlocking ? 'failure' : 'warning', `lint script failed (exit code ${result.code})`, [], [log.tail(10)]);
  }
  const { findings, warnings } = plan.parse(result.stdout, { projectRoot: config.workingDirectory, repositoryRoot: context.repositoryRoot });
  if (!plan.okExitCodes.includes(result.code) || (result.code !== 0 && findings.length === 0 && warnings.length > 0)) {
    return done('warning', `${plan.linter} did not run cleanly (exit code ${result.code})`, findings, [...warnings, log.tail(10)]);
  }
  if (findings.length === 0) return done('success', `${plan.linter}: no findings`);
  const headline = `${plan.linter}: ${findings.length} finding${findings.length === 1 ? '' : 's'}${config.lintBlocking ? ' (lint-blocking)' : ''}`;
  return done(config.lintBlocking ? 'failure' : 'warning', headline, findings);
}
