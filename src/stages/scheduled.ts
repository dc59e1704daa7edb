// A scheduled run's own work: on `schedule` and `workflow_dispatch`, after the tests passed,
// `scheduled-command` runs in the project's environment (its PATH, its virtualenv), without a shell.
// What it prints is kept for the notify stage; its failure fails the run (and so is announced).
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import type { Environment } from '../ecosystems/ecosystem.js';
import { formatCommand } from '../command-line.js';
import { describeError } from '../errors.js';
import type { Report, StageResult } from '../model.js';
import { StageLog } from '../stage-log.js';

/** Events that run `scheduled-command`: the cron trigger, and a manual run of the same workflow. */
export function runsScheduledCommand(config: Pick<Config, 'scheduledCommand'>, context: Pick<RunContext, 'event'>): boolean {
  return config.scheduledCommand !== undefined && ['schedule', 'workflow_dispatch'].includes(context.event.name);
}

export async function runScheduledCommand(config: Config, ports: Ports, environment: Environment, report: Report): Promise<StageResult[]> {
  const started = Date.now();
  const [command, ...args] = config.scheduledCommand!;
  const shown = formatCommand(config.scheduledCommand!);
  if (report.stages.find((stage) => stage.name === 'test')?.status === 'failure') {
    return [{ name: 'scheduled', status: 'skipped', durationMs: 0, headline: `${shown} not run: the tests failed` }];
  }
  const log = new StageLog(ports.runner);
  const output: string[] = [];
  let code: number;
  try {
    ({ code } = await log.run(command!, args, { cwd: config.workingDirectory, env: { ...environment.env, CI: 'true' }, onLine: (line) => output.push(line) }));
  } catch (error) {
    // A program that is not there is the command's failure, told like any other.
    output.push(describeError(error));
    code = 127;
  }
  report.scheduled = { command: shown, output: output.join('\n') };
  const durationMs = Date.now() - started;
  if (code === 0) return [{ name: 'scheduled', status: 'success', durationMs, headline: `${shown} ran` }];
  const last = output.slice(-20);
  return [{ name: 'scheduled', status: 'failure', durationMs, headline: `${shown} failed (exit code ${code})`, details: last.length ? last : undefined }];
}
