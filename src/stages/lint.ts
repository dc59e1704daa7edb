// Lint stage: the linter the ecosystem's plan names, or the user's lint-command. Findings are
// reported, never fatal, unless the user asked for `lint-blocking: true`; a linter that crashed is
// one warning.
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import type { Ecosystem, Environment } from '../ecosystems/ecosystem.js';
import { projectFiles } from '../ecosystems/project-files.js';
import { crashLine } from '../reports/findings.js';
import type { Finding, StageResult } from '../model.js';
import { StageLog } from '../stage-log.js';

export interface LintOutcome {
  stage: StageResult;
  log: StageLog;
  /** Undefined when they were not measured: no linter, a lint script's exit code only, a crash. */
  findings?: Finding[];
}

export async function runLint(config: Config, context: RunContext, ports: Ports, ecosystem: Ecosystem, environment: Environment): Promise<LintOutcome> {
  const started = Date.now();
  const log = new StageLog(ports.runner);
  const done = (status: StageResult['status'], headline: string, findings: Finding[] | undefined, details?: string[]): LintOutcome => ({
    stage: { name: 'lint', status, durationMs: Date.now() - started, headline, details },
    log,
    findings
  });
  const plan = ecosystem.planLint(environment, { config, files: projectFiles(ports.files, config.workingDirectory) });
  if (!plan) return done('skipped', 'no linter installed', undefined, [ecosystem.addLinter]);

  const result = await log.run(plan.command.command, plan.command.args, {
    cwd: config.workingDirectory,
    env: { ...environment.env, ...plan.command.env }
  });
  if (plan.exitCodeOnly) {
    // Only pass or fail: no findings to annotate.
    return result.code === 0
      ? done('success', `${plan.linter} passed`, undefined)
      : done(config.lintBlocking ? 'failure' : 'warning', `${plan.linter} failed (exit code ${result.code})`, undefined, [log.tail(10)]);
  }
  const { findings, warnings, failure } = plan.parse(result.stdout, { projectRoot: config.workingDirectory, repositoryRoot: context.repositoryRoot });
  // A linter that failed without a finding crashed (a broken configuration, flake8's traceback):
  // one warning with its reason, never a failed run, whatever lint-blocking says.
  const crashed = !plan.okExitCodes.includes(result.code) || (result.code !== 0 && findings.length === 0 && !failure);
  if (crashed || failure) {
    const reason = failure ?? crashLine(result.stderr, result.stdout);
    const message = crashed ? `${plan.linter} did not run cleanly (exit code ${result.code})${reason ? `: ${reason}` : ''}` : reason;
    ports.reporter.warning(message, { title: `${plan.linter} did not run cleanly` });
    // What it did report is no count of the project's findings: the output stays empty.
    return done('warning', message, undefined, [...warnings, ...(crashed ? [log.tail(10)] : [])]);
  }
  if (findings.length === 0) return done('success', `${plan.linter}: no findings`, []);
  const headline = `${plan.linter}: ${findings.length} finding${findings.length === 1 ? '' : 's'}${config.lintBlocking ? ' (lint-blocking)' : ''}`;
  return done(config.lintBlocking ? 'failure' : 'warning', headline, findings);
}
