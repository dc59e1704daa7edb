// The action: inputs from the runner, GitHub's cache, annotations and the job summary.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { githubCacheStore } from './adapters/github/cache.js';
import { githubReporter } from './adapters/github/reporter.js';
import { getInput, info, saveState, setFailed, setOutput } from './adapters/github/workflow-commands.js';
import { nodeHttp } from './adapters/http.js';
import { processRunner } from './adapters/process.js';
import { cleanUpOnCancel } from './cancel.js';
import { buildConfig } from './config.js';
import type { GitEvent, RunContext } from './context.js';
import { SlipwayError } from './errors.js';
import { SECRET_INPUTS } from './inputs.js';
import { recordChildren } from './leftovers.js';
import type { StageResult } from './model.js';
import { outputsOf, runPipeline } from './pipeline.js';
import { RUN_DIR_STATE } from './post-main.js';
import { projectStateDir } from './project-state.js';
import { untrustedReason, type EventPayload } from './trust/events.js';
import { Secrets } from './trust/secrets.js';

export async function run(): Promise<void> {
  const secrets = new Secrets();
  const reporter = githubReporter(secrets);
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const runnerTemp = process.env.RUNNER_TEMP ?? tmpdir();
  let tempDir: string | undefined;
  const runner = processRunner(process.env, () => secrets.values(), (groups) => tempDir && recordChildren(tempDir, groups));
  const stopWatching = cleanUpOnCancel(runner, () => tempDir, info);
  try {
    for (const name of SECRET_INPUTS) {
      const value = getInput(name);
      if (value) reporter.secret(value);
    }
    const config = await buildConfig((name) => getInput(name), workspace);
    const stateRoot = join(runnerTemp, 'slipway');
    mkdirSync(stateRoot, { recursive: true });
    tempDir = mkdtempSync(join(stateRoot, 'run-'));
    // Before anything is written there: a run killed outright is cleaned up by the post step.
    saveState(RUN_DIR_STATE, tempDir);
    const context: RunContext = {
      repositoryRoot: workspace,
      stateDir: projectStateDir(stateRoot, config.workingDirectory),
      tempDir,
      os: process.platform,
      arch: process.arch,
      event: eventFromRunner(),
      inActions: true
    };
    const report = await runPipeline(config, context, {
      runner,
      cache: config.cache ? githubCacheStore() : undefined,
      reporter,
      http: nodeHttp
    });
    for (const [name, value] of Object.entries(outputsOf(report))) reporter.setOutput(name, value);
    await reporter.summary(report);
    if (report.result === 'failure') {
      const failed = report.stages.filter((s) => s.status === 'failure');
      setFailed(failed.map(failureMessage).join('\n'));
    }
  } catch (error) {
    setOutput('result', 'failure');
    if (error instanceof SlipwayError) setFailed(error.message);
    else setFailed(`Slipway failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    stopWatching();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}

/** A failed stage's headline and, when it has them, the lines that show why (bounded). */
function failureMessage(stage: StageResult): string {
  const details = (stage.details ?? []).join('\n').split('\n').filter((line) => line.trim() !== '');
  const shown = details.length > 30 ? ['…', ...details.slice(-30)] : details;
  return [`${stage.name}: ${stage.headline}`, ...shown.map((line) => `  ${line}`)].join('\n');
}

function eventFromRunner(): GitEvent {
  let payload: EventPayload = {};
  try {
    if (process.env.GITHUB_EVENT_PATH) payload = JSON.parse(readFileSync(process.env.GITHUB_EVENT_PATH, 'utf8'));
  } catch {
    // no readable payload: fall back to defaults below
  }
  const name = process.env.GITHUB_EVENT_NAME ?? 'push';
  const repository = process.env.GITHUB_REPOSITORY ?? '';
  return {
    name,
    ref: process.env.GITHUB_REF ?? '',
    sha: process.env.GITHUB_SHA ?? '',
    defaultBranch: payload.repository?.default_branch ?? 'main',
    repository,
    serverUrl: process.env.GITHUB_SERVER_URL ?? 'https://github.com',
    untrusted: untrustedReason(name, repository, payload)
  };
}
