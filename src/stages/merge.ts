// The job after the test shards (`merge-shards: true`): their results as one run's — one report, one
// coverage figure, one set of gates, one comment, one notification and, on a deploy branch, one
// image and deploy. It installs nothing: the tests ran in the shards, and the image is built from
// the checkout by Docker.
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import type { Report } from '../model.js';
import { StageLog } from '../stage-log.js';
import { baselineSection, finishRun, patchSection, shipSection, type InSection } from './closing.js';
import { collectShards } from './merge-collect.js';
import { gatherPullRequest, type PullRequestFindings } from './pull-request.js';

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
  if (gathering) await patchSection(config, context, gathering, report, findings, inSection);
  // The merged durations are what the next shards split by.
  await baselineSection(config, context, report, inSection);
  await shipSection(config, context, report, inSection);
  return finishRun(config, context, ports, report, inSection, started, findings);
}
