// Install stage: the project's environment, restored from the cache under an exact key or built
// and then saved at once (so failing tests later never cost the next run its warm cache).
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { which } from '@actions/io';
import { downloadCacheKeys, environmentKey, type EnvironmentKeyParts } from '../cache-key.js';
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import {
  INTERPRETER_PROBE,
  TOOLS_PROBE,
  parseInterpreter,
  parseTools,
  planPythonInstall,
  venvPython,
  type Interpreter,
  type PythonInstallPlan,
  type PythonTools
} from '../ecosystems/python.js';
import { SlipwayError, describeError } from '../errors.js';
import type { StageResult } from '../model.js';
import { diskProjectFiles } from '../project-files.js';
import { StageLog } from '../stage-log.js';

/** What later stages need from the install. */
export interface PythonEnvironment {
  venv: string;
  python: string;
  /** Variables that activate the environment for commands run in it. */
  env: Record<string, string>;
  tools: PythonTools;
}

export interface InstallOutcome {
  stage: StageResult;
  log: StageLog;
  cacheHit: boolean;
  cacheKey?: string;
  environment?: PythonEnvironment;
}

/** Written into the environment after a good install; a restore whose stamp differs is not trusted. */
const KEY_STAMP = '.slipway-key';

export async function install(config: Config, context: RunContext, ports: Ports): Promise<InstallOutcome> {
  const started = Date.now();
  const log = new StageLog(ports.runner);
  const venv = join(context.stateDir, 'venv');
  const done = (status: StageResult['status'], headline: string, rest: Omit<InstallOutcome, 'stage' | 'log'>, details?: string[]): InstallOutcome => ({
    stage: { name: 'install', status, durationMs: Date.now() - started, headline, details },
    log,
    ...rest
  });

  const interpreter = await probeInterpreter(config, log);
  const plan = planPythonInstall({
    files: diskProjectFiles(config.workingDirectory),
    venv,
    available: { poetry: Boolean(await which('poetry', false)), uv: Boolean(await which('uv', false)) },
    installCommands: config.installCommands
  });
  plan.notes.forEach((note) => ports.reporter.warning(note));
  const keyParts = keyPartsFor(config, context, interpreter, plan);
  const key = environmentKey(keyParts);
  const environment = activation(venv);
  const nothingToInstall = plan.installer === 'none';
  const cache = config.cache && !nothingToInstall ? ports.cache : undefined;
  log.write(`Python ${interpreter.version} (${interpreter.implementation}) at ${interpreter.executable}`);
  log.write(`Dependency files: ${keyParts.files.map((f) => f.path).join(', ') || 'none'}`);
  log.write(`Cache key: ${key}`);

  if (cache && (await restoreEnvironment(cache, venv, key, log, ports))) {
    if (await isUsable(venv, key, log, ports)) {
      const tools = await probeTools(environment, config, log);
      return done('success', `restored from cache (${plan.installer})`, { cacheHit: true, cacheKey: key, environment: { ...environment, tools } });
    }
    ports.reporter.warning(`The environment restored from the cache (key ${key}) does not run; discarding it and installing afresh.`);
  }

  rmSync(venv, { recursive: true, force: true });
  const downloads = join(context.stateDir, 'pip-downloads');
  const downloadKeys = downloadCacheKeys(keyParts, 'pip');
  const restoredDownloads = cache ? await restoreQuietly(cache, [downloads], downloadKeys.key, downloadKeys.restoreKeys, log, ports) : undefined;

  const created = await log.run(interpreter.executable, ['-m', 'venv', ...(nothingToInstall ? ['--without-pip'] : []), venv], { cwd: config.workingDirectory });
  if (created.code !== 0) {
    throw new SlipwayError(`Could not create a virtual environment with ${interpreter.executable} (exit ${created.code}):\n${log.tail()}`);
  }
  for (const step of plan.commands) {
    const stop = ports.reporter.progress(`installing dependencies (${plan.installer})`);
    const result = await log.run(step.command, step.args, {
      cwd: config.workingDirectory,
      env: { ...process.env, ...environment.env, PIP_CACHE_DIR: downloads, ...step.env }
    }).finally(stop);
    if (result.code !== 0) {
      const failed = done('failure', `install failed (exit ${result.code})`, { cacheHit: false, cacheKey: key }, [
        `\`${[step.command, ...step.args].join(' ')}\` exited with ${result.code}.`,
        log.tail()
      ]);
      return failed;
    }
  }
  writeFileSync(join(venv, KEY_STAMP), key);

  if (cache) {
    await saveQuietly(cache, [venv], key, log, ports);
    if (restoredDownloads !== downloadKeys.key && existsSync(downloads)) {
      await saveQuietly(cache, [downloads], downloadKeys.key, log, ports);
    }
  }
  const tools = await probeTools(environment, config, log);
  const headline = nothingToInstall ? 'nothing to install' : `installed with ${plan.installer}${config.cache ? ' and cached' : ''}`;
  return done('success', headline, { cacheHit: false, cacheKey: nothingToInstall ? undefined : key, environment: { ...environment, tools } });
}

async function probeInterpreter(config: Config, log: StageLog): Promise<Interpreter> {
  const missing = `Input \`python\`: "${config.python}" was not found or does not run. Install it (e.g. with actions/setup-python before Slipway) or set \`python\` to an interpreter that exists.`;
  let result;
  try {
    result = await log.run(config.python, ['-c', INTERPRETER_PROBE], { cwd: config.workingDirectory });
  } catch {
    throw new SlipwayError(missing);
  }
  const interpreter = result.code === 0 ? parseInterpreter(result.stdout) : undefined;
  if (!interpreter) throw new SlipwayError(`${missing}\n${log.tail(5)}`);
  return interpreter;
}

function keyPartsFor(config: Config, context: RunContext, interpreter: Interpreter, plan: PythonInstallPlan): EnvironmentKeyParts {
  const root = config.workingDirectory;
  const paths = config.cacheDependencyFiles ? config.cacheDependencyFiles.map((file) => relative(root, file)) : plan.dependencyFiles;
  return {
    cacheVersion: config.cacheVersion,
    os: context.os,
    arch: context.arch,
    runtime: `python-${interpreter.implementation}-${interpreter.version}`,
    interpreterPath: interpreter.executable,
    files: paths.map((path) => ({ path: path.split('\\').join('/'), content: readFileSync(join(root, path)) })),
    commands: plan.commands.map((step) => [step.command, ...step.args, ...Object.entries(step.env ?? {}).map(([k, v]) => `${k}=${v}`)])
  };
}

function activation(venv: string): Omit<PythonEnvironment, 'tools'> {
  const bin = join(venv, 'bin');
  return {
    venv,
    python: venvPython(venv),
    env: { VIRTUAL_ENV: venv, PATH: `${bin}:${process.env.PATH ?? ''}`, PYTHONDONTWRITEBYTECODE: '1' }
  };
}

/** True only for an exact key match; a failing cache store is a warning, never a failure. */
async function restoreEnvironment(cache: NonNullable<Ports['cache']>, venv: string, key: string, log: StageLog, ports: Ports): Promise<boolean> {
  rmSync(venv, { recursive: true, force: true });
  return (await restoreQuietly(cache, [venv], key, [], log, ports)) === key;
}

async function restoreQuietly(
  cache: NonNullable<Ports['cache']>,
  paths: string[],
  key: string,
  restoreKeys: string[],
  log: StageLog,
  ports: Ports
): Promise<string | undefined> {
  const stop = ports.reporter.progress('restoring from cache');
  try {
    const restored = await cache.restore(paths, key, restoreKeys);
    log.write(restored ? `Restored ${paths.join(', ')} from cache key ${restored}` : `No cache entry for ${key}`);
    return restored;
  } catch (error) {
    ports.reporter.warning(`Cache restore failed (${cache.description}): ${describeError(error)}. Going on without the cache.`);
    return undefined;
  } finally {
    stop();
  }
}

async function saveQuietly(cache: NonNullable<Ports['cache']>, paths: string[], key: string, log: StageLog, ports: Ports): Promise<void> {
  const stop = ports.reporter.progress('saving to cache');
  try {
    const saved = await cache.save(paths, key);
    log.write(saved ? `Saved ${paths.join(', ')} under cache key ${key}` : `Cache key ${key} already exists; not saved again`);
  } catch (error) {
    ports.reporter.warning(`Cache save failed (${cache.description}): ${describeError(error)}. The next run will install again.`);
  } finally {
    stop();
  }
}

/** A restored environment is used only if its stamp matches and its interpreter runs from where it is. */
async function isUsable(venv: string, key: string, log: StageLog, ports: Ports): Promise<boolean> {
  const stamp = join(venv, KEY_STAMP);
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== key) return false;
  try {
    const result = await log.run(venvPython(venv), ['-c', 'import sys; print(sys.prefix)'], { cwd: venv });
    return result.code === 0 && result.stdout.trim() === venv;
  } catch (error) {
    ports.reporter.debug(`restored environment check failed: ${describeError(error)}`);
    return false;
  }
}

async function probeTools(environment: Omit<PythonEnvironment, 'tools'>, config: Config, log: StageLog): Promise<PythonTools> {
  mkdirSync(environment.venv, { recursive: true });
  const result = await log.run(environment.python, ['-c', TOOLS_PROBE], { cwd: config.workingDirectory, env: { ...process.env, ...environment.env } });
  return parseTools(result.stdout);
}
