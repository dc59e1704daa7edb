// Reporter for the Actions runner: log groups, annotations, step outputs and the job summary.
import type { Reporter } from '../../ports.js';
import { renderSummary } from '../../reports/summary.js';
import type { Secrets } from '../../trust/secrets.js';
import * as runner from './workflow-commands.js';

/** `secrets` learns every value masked, so the process runner can keep them from children too. */
export function githubReporter(secrets: Secrets): Reporter {
  return {
    info: runner.info,
    debug: runner.debug,
    notice: (message, annotation) => runner.annotate('notice', message, annotation),
    warning: (message, annotation) => runner.annotate('warning', message, annotation),
    error: (message, annotation) => runner.annotate('error', message, annotation),
    group(title, lines) {
      runner.startGroup(title);
      // Tool output is not ours: a line such as `::set-env` in a test's output must not be obeyed.
      runner.printText(lines);
      runner.endGroup();
    },
    secret(value) {
      secrets.add(value);
      runner.setSecret(value);
    },
    setOutput: runner.setOutput,
    async summary(report) {
      if (!runner.appendSummary(renderSummary(report))) runner.debug('no GITHUB_STEP_SUMMARY file: the job summary is skipped');
    },
    progress: () => () => undefined
  };
}
