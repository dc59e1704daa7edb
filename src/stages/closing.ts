// The parts of a run after its tests, the same for one job and for the job that merges test shards:
// the patch verdict, the baseline, the image and deploy, and the end (result, comment, notifications).
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import type { Report, StageName, StageResult } from '../model.js';
import { StageLog } from '../stage-log.js';
import { saveBaseline, savesBaseline } from './baseline-cache.js';
import { notify } from './notify.js';
import { patchVerdict } from './patch-plan.js';
import { commentOnPullRequest, type gatherPullRequest, type PullRequestFindings } from './pull-request.js';
import { shipAndDeploy } from './ship.js';

/** The pipeline's way of running a part in its own log section (see pipeline.ts). */
export type InSection = (title: string, body: (ports: Ports) => Promise<StageResult[]>, guard?: StageName) => Promise<StageResult[]>;

/** Pull requests: the changed lines' coverage and the change against the base branch's baseline. */
export async function patchSection(
  config: Config,
  context: RunContext,
  gathering: ReturnType<typeof gatherPullRequest>,
  report: Report,
  findings: PullRequestFindings,
  inSection: InSection
): Promise<void> {
  const baseRef = context.event.pullRequest?.baseRef ?? '';
  const patched = await inSection('patch', async (stagePorts) => {
    const started = Date.now();
    const facts = await gathering;
    const log = new StageLog(stagePorts.runner);
    facts.log.lines.forEach((line) => log.write(line));
    const verdict = patchVerdict({
      changes: facts.changes.files,
      unknown: facts.changes.unknown,
      coverage: report.coverage,
      baselineCoverage: facts.baseline?.coverage,
      baseRef,
      measuring: config.coverage,
      min: config.patchCoverageMin
    });
    // Unknown changed lines are worth a warning only when there was coverage to compare them with.
    if (report.coverage && facts.changes.warning) stagePorts.reporter.warning(facts.changes.warning);
    Object.assign(findings, { patch: verdict.patch, delta: verdict.delta, changes: facts.changes.files });
    report.coverageDelta = verdict.delta;
    report.patchCoverage = verdict.patch?.percent;
    return [{ name: 'patch', durationMs: Date.now() - started, ...verdict.stage }];
  });
  report.stages.push(...patched);
}

/** Default-branch pushes: the coverage (and test durations) later pull requests and shards compare with. */
export async function baselineSection(config: Config, context: RunContext, report: Report, inSection: InSection): Promise<void> {
  if (!savesBaseline(context, report)) return;
  await inSection('baseline', async (stagePorts) => {
    await saveBaseline(config, context, stagePorts, report, new StageLog(stagePorts.runner));
    return [];
  });
}

/** The image, then the deploy or the preview: only a run in which nothing failed so far ships. */
export async function shipSection(config: Config, context: RunContext, report: Report, inSection: InSection): Promise<void> {
  if (!config.image) return;
  const passed = !report.stages.some((stage) => stage.status === 'failure');
  // One section for all: they share one registry login, and the deploy's steps write to both logs.
  const title = config.preview && context.event.pullRequest ? 'image and preview' : config.deployHook ? 'image and deploy' : 'image';
  const shipped = await inSection(
    title,
    async (stagePorts) => {
      const outcome = await shipAndDeploy(config, context, stagePorts, passed);
      const { image } = outcome;
      if (image.pushed && image.repository && image.image && image.digest) {
        report.image = { repository: image.repository, image: image.image, digest: image.digest, tags: image.tags };
      }
      if (outcome.deploy) Object.assign(report, { deployed: outcome.deploy.deployed, rolledBack: outcome.deploy.rolledBack });
      report.previewUrl = outcome.preview?.url;
      return [image.stage, ...(outcome.deploy ? [outcome.deploy.stage] : []), ...(outcome.preview ? [outcome.preview.stage] : [])];
    },
    'image'
  );
  report.stages.push(...shipped);
}

/**
 * The run's result, then the pull request comment (when `findings` are given: last, so it tells the
 * final result) and the notifications, which announce the result and change nothing of it.
 */
export async function finishRun(
  config: Config,
  context: RunContext,
  ports: Ports,
  report: Report,
  inSection: InSection,
  started: number,
  findings?: PullRequestFindings
): Promise<Report> {
  report.result = report.stages.some((stage) => stage.status === 'failure') ? 'failure' : 'success';
  report.durationMs = Date.now() - started;
  if (findings) await commentOnPullRequest(config, context, ports, report, findings);
  if (config.notify.length > 0) {
    await inSection('notify', async (stagePorts) => {
      await notify(config, context, stagePorts, report, new StageLog(stagePorts.runner));
      return [];
    });
  }
  return report;
}
