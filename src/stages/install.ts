// Install stage: the project's installed environment (a virtualenv, node_modules), restored from the
// cache under an exact key or built and then saved at once, so failing tests later never cost the
// next run its warm cache. What to install comes from the ecosystem's plan; when the cache is asked
// is here, and how a failing or untrusted cache is handled in cache-flow.ts.
import { relative } from 'node:path';
import { downloadCacheKeys, environmentKey, type EnvironmentKeyParts } from '../cache-key.js';
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import type { Command, Ecosystem, Environment, InstallPlan } from '../ecosystems/ecosystem.js';
import { projectFiles } from '../ecosystems/project-files.js';
import { readKeyFiles } from '../ecosystems/shared.js';
import type { StageResult } from '../model.js';
import { StageLog } from '../stage-log.js';
import { cacheFlow } from './cache-flow.js';
import { asideAbsent, restoreEnvironment, saveEnvironment } from './environment-cache.js';
import { keyLines } from './install-failure.js';
import { runsScheduledCommand } from './scheduled.js';

export interface InstallOutcome {
  stage: StageResult;
  log: StageLog;
  cacheHit: boolean;
  cacheKey?: string;
  /** What the test and lint stages run in; the ecosystem that made it reads its data. */
  environment?: Environment;
}

export async function install(config: Config, context: RunContext, ports: Ports, ecosystem: Ecosystem): Promise<InstallOutcome> {
  const started = Date.now();
  const log = new StageLog(ports.runner);
  const result = (status: StageResult['status'], headline: string, rest: Omit<InstallOutcome, 'stage' | 'log'>, details?: string[]): InstallOutcome => ({
    stage: { name: 'install', status, durationMs: Date.now() - started, headline, details },
    log,
    ...rest
  });

  const { files } = ports;
  const installation = await ecosystem.planInstall({ config, stateDir: context.stateDir }, { log, files, host: ports.host });
  const { plan } = installation;
  plan.notes.forEach((note) => ports.reporter.warning(note));
  const keyParts = keyPartsOf(config, context, plan, files);
  const key = environmentKey(keyParts);
  const cache = config.cache && !plan.nothingToInstall && ports.cache ? cacheFlow(ports.cache, context, ports.reporter, log) : undefined;
  log.write(`Dependency files: ${keyParts.files.map((f) => f.path).join(', ') || 'none'}`);
  log.write(`Cache key: ${key}`);

  // A tree is used only if its stamp says it was installed for this very key, and the ecosystem agrees.
  const usable = async (restored: boolean): Promise<boolean> => files.read(plan.stampPath) === key && (await installation.verify(restored));
  const clear = (): void => plan.cachePaths.forEach((path) => files.remove(path));
  // What the ecosystem sets aside (Python's pip and setuptools) none of Slipway's own commands
  // needs; a command of the user's might.
  const withAside = Boolean(installation.setAside && (config.testCommand || config.lintCommand || runsScheduledCommand(config, context)));
  const root = plan.cachePaths[0] ?? '';
  // An environment left by an earlier run with this very key (the CLI's, a persistent runner's)
  // is as good as a restore, and cheaper.
  if (config.cache && !plan.nothingToInstall && !(withAside && asideAbsent(files, root)) && (await usable(false))) {
    return result('success', `already installed for this key (${plan.installer})`, {
      cacheHit: true,
      cacheKey: key,
      environment: await installation.environment()
    });
  }
  clear();
  if (cache) {
    const restored = await restoreEnvironment(cache, files, ports.reporter, { paths: plan.cachePaths, key, withAside });
    if (restored && (await usable(true))) {
      return result('success', `restored from cache (${plan.installer})`, { cacheHit: true, cacheKey: key, environment: await installation.environment() });
    }
    if (restored) {
      ports.reporter.warning(
        `The environment restored from the cache (key ${key}) does not run; discarding it and installing afresh. Cache entries cannot be replaced: bump \`cache-version\` to stop restoring this one.`
      );
    }
    clear(); // an incomplete restore leaves some of the parts
  }

  const downloadKeys = plan.downloads && downloadCacheKeys(keyParts, plan.downloads.tool);
  const restoredDownloads =
    cache && plan.downloads && downloadKeys ? await cache.restore([plan.downloads.path], downloadKeys.key, downloadKeys.restoreKeys) : undefined;

  for (const step of steps(plan)) {
    const stop = ports.reporter.progress(`installing dependencies (${plan.installer})`);
    const from = log.lines.length;
    const run = await log.run(step.command, step.args, { cwd: config.workingDirectory, env: { ...plan.env, ...plan.installEnv, ...step.env } }).finally(stop);
    if (run.code !== 0) {
      const hint = installation.explain?.(`${run.stdout}\n${run.stderr}`);
      const shown = [...Object.entries(step.env ?? {}).map(([name, value]) => `${name}=${value}`), step.command, ...step.args];
      const headline = hint ?? `install failed: \`${shown.join(' ')}\` exited with ${run.code}`;
      // The lines that say why, in the order they came; the log's end when none is recognised.
      const why = keyLines(log.lines.slice(from + 1).join('\n'));
      return result('failure', headline, { cacheHit: false, cacheKey: key }, [why.length > 0 ? why.join('\n') : log.tail()]);
    }
  }
  files.write(plan.stampPath, key); // folders made on the way: a project with no dependencies has no node_modules
  await installation.record?.();

  const cached = cache ? await saveEnvironment(cache, files, plan.cachePaths, key, (await installation.setAside?.()) ?? []) : false;
  if (cache && plan.downloads && downloadKeys && restoredDownloads !== downloadKeys.key && files.exists(plan.downloads.path)) {
    await cache.save([plan.downloads.path], downloadKeys.key);
  }
  const headline = plan.nothingToInstall ? 'nothing to install' : `installed with ${plan.installer}${cached ? ' and cached' : ''}`;
  return result('success', headline, { cacheHit: false, cacheKey: plan.nothingToInstall ? undefined : key, environment: await installation.environment() });
}

/** The plan's commands in order: the one that creates the environment first. */
function steps(plan: InstallPlan): Command[] {
  return plan.create ? [plan.create, ...plan.commands] : plan.commands;
}

/** Everything the key depends on; `cache-dependency-path` replaces the detected dependency files. */
function keyPartsOf(config: Config, context: RunContext, plan: InstallPlan, files: Ports['files']): EnvironmentKeyParts {
  const root = config.workingDirectory;
  const chosen = config.cacheDependencyFiles?.map((file) => relative(root, file).split('\\').join('/'));
  return {
    cacheVersion: config.cacheVersion,
    os: context.os,
    arch: context.arch,
    image: context.image,
    runtime: plan.runtime,
    interpreterPath: plan.interpreterPath,
    files: chosen ? readKeyFiles(projectFiles(files, root), chosen) : plan.files,
    commands: steps(plan).map((step) => [step.command, ...step.args, ...Object.entries(step.env ?? {}).map(([name, value]) => `${name}=${value}`)])
  };
}
