// Reporter for the Actions runner: log groups, annotations, step outputs and the job summary.
import { randomUUID } from 'node:crypto';
import * as core from '@actions/core';
import type { Annotation, Reporter } from '../../ports.js';
import { renderSummary } from '../../reports/summary.js';

export function githubReporter(): Reporter {
  const properties = (a?: Annotation): core.AnnotationProperties | undefined => a && { ...a };
  return {
    info: (message) => core.info(message),
    debug: (message) => core.debug(message),
    notice: (message, annotation) => core.notice(message, properties(annotation)),
    warning: (message, annotation) => core.warning(message, properties(annotation)),
    error: (message, annotation) => core.error(message, properties(annotation)),
    group(title, lines) {
      core.startGroup(title);
      // Tool output is not ours: a line such as `::set-env` in a test's output must not be obeyed.
      const token = randomUUID();
      core.info(`::stop-commands::${token}`);
      for (const line of lines) core.info(line);
      core.info(`::${token}::`);
      core.endGroup();
    },
    secret: (value) => core.setSecret(value),
    setOutput: (name, value) => core.setOutput(name, value),
    async summary(report) {
      await core.summary.addRaw(renderSummary(report), true).write();
    },
    progress: () => () => undefined
  };
}
