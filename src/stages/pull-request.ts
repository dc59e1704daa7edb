// A pull request's run: what it changes and the base branch's baseline, gathered while the tests run,
// and at the very end the job's one comment, edited in place on every push.
import { relative } from 'node:path';
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import { describeError } from '../errors.js';
import type { Report } from '../model.js';
import { GitHubApiError } from '../ports.js';
import type { Baseline } from '../reports/baseline.js';
import type { ChangedFile } from '../reports/diff.js';
import type { PatchCoverage } from '../reports/patch-coverage.js';
import { isJobComment, renderPrComment } from '../reports/pr-comment.js';
import { StageLog } from '../stage-log.js';
import { restoreBaseline } from './baseline-cache.js';
import { changedLines, type ChangedLines } from './changed-lines.js';

export interface PullRequestFacts {
  changes: ChangedLines;
  baseline?: Baseline;
  /** What the gathering did, to be shown in the patch stage's section. */
  log: StageLog;
}

/** Never rejects for an unavailable service: those end in `changes.unknown` or no baseline. */
export async function gatherPullRequest(config: Config, context: RunContext, ports: Ports): Promise<PullRequestFacts> {
  const log = new StageLog(ports.runner);
  const [changes, baseline] = await Promise.all([
    changedLines(context, ports, log),
    config.coverage ? restoreBaseline(config, context, ports, log) : Promise.resolve(undefined)
  ]);
  return { changes, baseline, log };
}

/** What the comment shows beyond the report. */
export interface PullRequestFindings {
  patch?: PatchCoverage;
  delta?: string;
  changes?: readonly ChangedFile[];
}

/** The job's id in the comment's marker; the project's folder tells two steps of one job apart. */
export function commentJobId(job: string | undefined, project: string): string {
  const name = job || 'slipway';
  return project === '' || project === '.' ? name : `${name} (${project})`;
}

/** The one warning for a comment that could not be written, naming the permission a refusal names. */
export function commentFailure(error: unknown): string {
  const permission = error instanceof GitHubApiError ? error.permission : undefined;
  const fix = permission ? ` Grant the token \`${permission}\` in the workflow's \`permissions:\`.` : '';
  return `The pull request comment was not written: ${describeError(error)}.${fix} The results are in the job summary.`;
}

export async function commentOnPullRequest(
  config: Config,
  context: RunContext,
  ports: Pick<Ports, 'github' | 'reporter'>,
  report: Report,
  findings: PullRequestFindings
): Promise<void> {
  const pullRequest = context.event.pullRequest;
  if (!pullRequest || !config.comment) return;
  if (!ports.github) {
    const why = context.event.untrusted ? `this is ${context.event.untrusted}, whose token cannot write` : 'no `github-token`';
    ports.reporter.info(`No pull request comment: ${why}. The results are in the job summary.`);
    return;
  }
  const jobId = commentJobId(context.event.job, relative(context.repositoryRoot, config.workingDirectory));
  const body = renderPrComment({
    report,
    jobId,
    runUrl: context.event.runUrl,
    patch: findings.patch,
    coverageDelta: findings.delta,
    baseRef: pullRequest.baseRef,
    patchCoverageMin: config.patchCoverageMin,
    changedFiles: findings.changes,
    previewUrl: report.previewUrl
  });
  try {
    const done = await ports.github.upsertComment(pullRequest.number, (text) => isJobComment(text, jobId), body);
    ports.reporter.info(`Pull request comment ${done} (#${pullRequest.number}).`);
  } catch (error) {
    ports.reporter.warning(commentFailure(error));
  }
}
