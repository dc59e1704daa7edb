// Reporter for the Actions runner, through @actions/core: a stage's output shows in its log group
// while it runs; annotations, step outputs and the job summary.
import * as core from '@actions/core';
import type { Reporter } from '../../ports.js';
import { renderSummary } from '../../reports/summary.js';
import { sectionsInTurn } from '../../stage-log.js';
import type { Secrets } from '../../trust/secrets.js';
import { info, printText, setOutput, setSecret } from './workflow-commands.js';

/**
 * `secrets` learns every value masked, so the process runner can keep them from children too.
 * `interrupt` closes the open groups of a cancelled run, so what follows is not hidden in one.
 */
export function githubReporter(secrets: Secrets): Reporter & { interrupt(): void } {
  const sections = sectionsInTurn({
    start: core.startGroup,
    // Tool output is not ours: a line such as `::add-mask::x` in a test's output must not be obeyed.
    line: (text) => printText([text]),
    end: core.endGroup,
    after: info
  });
  return {
    info,
    debug: core.debug,
    notice: (message, annotation) => core.notice(message, annotation),
    warning: (message, annotation) => core.warning(message, annotation),
    error: (message, annotation) => core.error(message, annotation),
    section: sections.open,
    interrupt: sections.interrupt,
    secret(value) {
      secrets.add(value);
      setSecret(value);
    },
    setOutput,
    async summary(report) {
      if (!process.env.GITHUB_STEP_SUMMARY) return core.debug('no GITHUB_STEP_SUMMARY file: the job summary is skipped');
      await core.summary.addRaw(renderSummary(report), true).write();
    },
    progress: () => () => undefined
  };
}
