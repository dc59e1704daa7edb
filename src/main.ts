// The action: inputs from the runner, GitHub's cache, annotations and the job summary.
import * as core from '@actions/core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The run's context alone, by file: the package's entry point also loads Octokit (~100 ms of
// start-up) for API calls a run may never make; whoever needs them imports '@actions/github' lazily.
import { Context } from '../node_modules/@actions/github/lib/context.js';
import { githubApi } from './adapters/github/api.js';
import { githubArtifacts } from './adapters/github/artifacts.js';
import { githubCacheStore } from './adapters/github/cache.js';
import { githubReporter } from './adapters/github/reporter.js';
import { info, saveState, setOutput } from './adapters/github/workflow-commands.js';
import { machinePorts } from './adapters/host.js';
import { nodeHttp } from './adapters/http.js';
import { smtpMailer } from './adapters/mail.js';
import { processRunner } from './adapters/process.js';
import { cleanUpOnCancel } from './cancel.js';
import { buildConfig } from './config.js';
import type { GitEvent, RunContext } from './context.js';
import { SlipwayError } from './errors.js';
import { SECRET_INPUTS } from './inputs.js';
import type { StageResult } from './model.js';
import { notifySecrets } from './notify/targets.js';
import { outputsOf, runPipeline } from './pipeline.js';
import { RUN_DIR_STATE, RUN_ID_STATE } from './post-main.js';
import { projectStateDir } from './project-state.js';
import { untrustedReason, type EventPayload } from './trust/events.js';
import { Secrets } from './trust/secrets.js';
import { secretsOfUrl } from './stages/deploy-plan.js';
import { closesPreview } from './stages/preview-plan.js';
import { thisRunnerImage } from './adapters/runner-image.js';

export async function run(): Promise<void> {
  const secrets = new Secrets();
  const reporter = githubReporter(secrets);
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const runnerTemp = process.env.RUNNER_TEMP ?? tmpdir();
  let tempDir: string | undefined;
  const runner = processRunner(process.env, () => secrets.values());
  const stopWatching = cleanUpOnCancel(runner.runId, () => tempDir, info, reporter.interrupt);
  try {
    for (const name of SECRET_INPUTS) {
      const value = core.getInput(name);
      if (value) reporter.secret(value);
    }
    notifySecrets(core.getInput('notify'), core.getInput('smtp-url')).forEach((secret) => reporter.secret(secret));
    // The preview hook's query values and path keys too: a platform's answer may echo them.
    if (core.getInput('preview-hook')) secretsOfUrl(core.getInput('preview-hook')).forEach((secret) => reporter.secret(secret));
    const event = eventFromRunner();
    // A closed pull request may only destroy its preview: that needs no checkout, so its files are not
    // checked then; any other run of a closed pull request is checked as usual.
    const closing = event.pullRequest?.action === 'closed';
    let config = await buildConfig((name) => core.getInput(name), workspace, { checkout: !closing });
    if (closing && !closesPreview(config.preview, event)) config = await buildConfig((name) => core.getInput(name), workspace);
    const stateRoot = join(runnerTemp, 'slipway');
    mkdirSync(stateRoot, { recursive: true });
    tempDir = mkdtempSync(join(stateRoot, 'run-'));
    // Before anything is written there or run: a run killed outright is cleaned up by the post step.
    saveState(RUN_DIR_STATE, tempDir);
    saveState(RUN_ID_STATE, runner.runId);
    const context: RunContext = {
      repositoryRoot: workspace,
      stateDir: projectStateDir(stateRoot, config.workingDirectory),
      tempDir,
      os: process.platform,
      arch: process.arch,
      image: thisRunnerImage(),
      event,
      inActions: true
    };
    // Untrusted events never write to the repository: they report through the summary alone.
    const github =
      config.githubToken && event.repository && !event.untrusted ? githubApi(config.githubToken, event.repository, process.env.GITHUB_API_URL) : undefined;
    const report = await runPipeline(config, context, {
      runner,
      cache: config.cache ? githubCacheStore() : undefined,
      reporter,
      http: nodeHttp,
      mailer: smtpMailer,
      github,
      // Only shards and their merge job use artifacts (the library loads on first use).
      artifacts: config.shard || config.mergeShards ? githubArtifacts() : undefined,
      ...machinePorts(context, config.workingDirectory, process.env)
    });
    for (const [name, value] of Object.entries(outputsOf(report))) reporter.setOutput(name, value);
    await reporter.summary(report);
    if (report.result === 'failure') {
      const failed = report.stages.filter((s) => s.status === 'failure');
      core.setFailed(failed.map(failureMessage).join('\n'));
    }
  } catch (error) {
    setOutput('result', 'failure');
    if (error instanceof SlipwayError) core.setFailed(error.message);
    else core.setFailed(`Slipway failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    stopWatching();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}

/** A failed stage's headline and, when it has them, the lines that show why (bounded). */
function failureMessage(stage: StageResult): string {
  const details = (stage.details ?? [])
    .join('\n')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const shown = details.length > 30 ? ['…', ...details.slice(-30)] : details;
  return [`${stage.name}: ${stage.headline}`, ...shown.map((line) => `  ${line}`)].join('\n');
}

/** The event from the runner's context (@actions/github's): what triggered the run, and where. */
function eventFromRunner(): GitEvent {
  const github = new Context();
  const payload = github.payload as EventPayload;
  // github.repo throws when neither the environment nor the payload names the repository.
  const repo = process.env.GITHUB_REPOSITORY || payload.repository ? github.repo : undefined;
  const repository = repo ? `${repo.owner}/${repo.repo}` : '';
  // Read from the environment: undefined outside a runner, whatever the library's types say.
  const name = (github.eventName as string | undefined) ?? 'push';
  const pull = payload.pull_request;
  const runId = process.env.GITHUB_RUN_ID;
  return {
    name,
    ref: (github.ref as string | undefined) ?? '',
    sha: (github.sha as string | undefined) ?? '',
    defaultBranch: payload.repository?.default_branch ?? 'main',
    repository,
    serverUrl: github.serverUrl,
    untrusted: untrustedReason(name, repository, payload),
    pullRequest:
      pull && typeof pull.number === 'number'
        ? {
            number: pull.number,
            baseRef: pull.base?.ref ?? '',
            baseSha: pull.base?.sha ?? '',
            headSha: pull.head?.sha ?? '',
            headRef: pull.head?.ref,
            action: payload.action,
            merged: pull.merged === true
          }
        : undefined,
    runUrl: repository && runId ? `${github.serverUrl}/${repository}/actions/runs/${runId}` : undefined,
    job: process.env.GITHUB_JOB || undefined,
    workflow: process.env.GITHUB_WORKFLOW || undefined,
    actor: process.env.GITHUB_ACTOR || undefined
  };
}
