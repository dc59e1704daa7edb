// The job after the test shards (`merge-shards: true`): their results as one run's — one report, one
// coverage figure, one set of gates, one comment, one notification and, on a deploy branch, one
// image and deploy. It installs nothing: the tests ran in the shards, and the image is built from
// the checkout by Docker.
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import type { Report, StageName, StageResult } from '../model.js';
import { StageLog } from '../stage-log.js';
import { saveBaseline, savesBaseline } from './baseline-cache.js';
import { collectShards } from './merge-collect.js';
import { notify } from './notify.js';
import { patchVerdict } from './patch-plan.js';
import { commentOnPullRequest, gatherPullRequest, type PullRequestFindings } from './pull-request.js';
import { shipAndDeploy } from './ship.js';

/** The pipeline's way of running a part in its own log section (see pipeline.ts). */
export type InSection = (title: string, body: (ports: Ports) => Promise<StageResult[]>, guard?: StageName) => Promise<StageResult[]>;

export async function mergeRun(config: Config, context: RunContext, ports: Ports, report: Report, inSection: InSection, started: number): Promise<Report> {
  const pullRequest = context.event.pullRequest;
  const gathering = pullRequest ? gatherPullRequest(config, context, ports) : undefined;
  gathering?.catch(() => undefined); // awaited below; until then a rejection must not count as unhandled

  const tested = await inSection(
    'test (merged shards)',
    async (stagePorts) => {
      const stageStarted = Date.now();
      const collected = await collectShards(config, context, stagePorts, new StageLog(stagePorts.runner));
      Object.assign(report, {
        tests: collected.merged?.results,
        coverage: collected.merged?.coverage,
        findings: collected.merged?.findings,
        advisories: collected.merged?.advisories,
        vulnerabilities: collected.merged?.advisories?.length
      });
      // Lint and audit ran in the first shard: their verdicts count here as in one job (lint-blocking, audit-level).
      const checks = (collected.merged?.checks ?? []).map((check) => ({ ...check, durationMs: 0 }));
      return [{ ...collected.stage, durationMs: Date.now() - stageStarted }, ...checks];
    },
    'test'
  );
  report.stages.push(...tested);

  const findings: PullRequestFindings = {};
  if (gathering && pullRequest) {
    const patched = await inSection('patch', async (stagePorts) => {
      const patchStarted = Date.now();
      const facts = await gathering;
      const log = new StageLog(stagePorts.runner);
      facts.log.lines.forEach((line) => log.write(line));
      const verdict = patchVerdict({
        changes: facts.changes.files,
        unknown: facts.changes.unknown,
        coverage: report.coverage,
        baselineCoverage: facts.baseline?.coverage,
        baseRef: pullRequest.baseRef,
        measuring: config.coverage,
        min: config.patchCoverageMin
      });
      if (report.coverage && facts.changes.warning) stagePorts.reporter.warning(facts.changes.warning);
      Object.assign(findings, { patch: verdict.patch, delta: verdict.delta, changes: facts.changes.files });
      report.coverageDelta = verdict.delta;
      report.patchCoverage = verdict.patch?.percent;
      return [{ name: 'patch', durationMs: Date.now() - patchStarted, ...verdict.stage }];
    });
    report.stages.push(...patched);
  }
  // The merged durations are what the next shards split by.
  if (savesBaseline(context, report)) {
    await inSection('baseline', async (stagePorts) => (await saveBaseline(config, context, stagePorts, report, new StageLog(stagePorts.runner)), []));
  }

  if (config.image) {
    const passed = !report.stages.some((stage) => stage.status === 'failure');
    const shipped = await inSection(
      config.deployHook ? 'image and deploy' : 'image',
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

  report.result = report.stages.some((stage) => stage.status === 'failure') ? 'failure' : 'success';
  report.durationMs = Date.now() - started;
  await commentOnPullRequest(config, context, ports, report, findings);
  if (config.notify.length > 0) {
    await inSection('notify', async (stagePorts) => (await notify(config, context, stagePorts, report, new StageLog(stagePorts.runner)), []));
  }
  return report;
}
