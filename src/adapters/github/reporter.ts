// Reporter for the Actions runner: log groups, annotations, step outputs and the job summary.
import { randomUUID } from 'node:crypto';
import type { Reporter } from '../../ports.js';
import { renderSummary } from '../../reports/summary.js';
import * as runner from './workflow-commands.js';

export function githubReporter(): Reporter {
  return {
    info: runner.info,
    debug: runner.debug,
    notice: (message, annotation) => runner.annotate('notice', message, annotation),
    warning: (message, annotation) => runner.annotate('warning', message, annotation),
    error: (message, annotation) => runner.annotate('error', message, annotation),
    group(title, lines) {
      runner.startGroup(title);
      // Tool output is not ours: a line such as `::set-env` in a test's output must not be obeyed.
      const token = randomUUID();
      runner.info(`::stop-commands::${token}`);
      for (const line of lines) runner.info(line);
      runner.info(`::${token}::`);
      runner.endGroup();
    },
    secret: runner.setSecret,
    setOutput: runner.setOutput,
    async summary(report) {
      if (!runner.appendSummary(renderSummary(report))) runner.debug('no GITHUB_STEP_SUMMARY file: the job summary is skipped');
    },
    progress: () => () => undefined
  };
}
