// Install stage: the project's installed environment (a virtualenv, node_modules), restored from the
// cache under an exact key or built and then saved at once, so failing tests later never cost the
// next run its warm cache. What to install comes from the ecosystem's plan; when the cache is asked
// is here, and how a failing or untrusted cache is handled in cache-flow.ts.
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { downloadCacheKeys, environmentKey, type DependencyFile, type EnvironmentKeyParts } from '../cache-key.js';
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import {
  INTERPRETER_PROBE,
  TOOLS_PROBE,
  parseInterpreter,
  parseTools,
  planPythonInstall,
  venvPython,
  type Command,
  type PythonTools
} from '../ecosystems/python.js';
import {
  declaredNodeTools,
  frozenInstallHint,
  managerCommand,
  nodeTools,
  packageScripts,
  planNodeInstall,
  type NodeTools,
  type ScriptRunner
} from '../ecosystems/node.js';
import { SlipwayError, describeError } from '../errors.js';
import type { StageResult } from '../model.js';
import { onPath } from '../adapters/process.js';
import { diskProjectFiles } from '../project-files.js';
import { StageLog } from '../stage-log.js';
import { cacheFlow } from './cache-flow.js';

/** What later stages need from the install: how to run commands inside the environment. */
export interface PythonEnvironment {
  ecosystem: 'python';
  venv: string;
  python: string;
  /** Variables that activate the environment for commands run in it. */
  env: Record<string, string>;
  tools: PythonTools;
}

export interface NodeEnvironment {
  ecosystem: 'node';
  /** The project folder (node_modules lives here). */
  root: string;
  env: Record<string, string>;
  tools: NodeTools;
  /** How package.json scripts run (npm, yarn, pnpm, maybe through corepack). */
  runner: ScriptRunner;
  scripts: Record<string, string>;
  pnp: boolean;
  /** The project's node accepts --experimental-test-coverage in NODE_OPTIONS. */
  nodeCoverageInOptions: boolean;
}

export type Environment = PythonEnvironment | NodeEnvironment;

/** An ecosystem's decision of what to install and where, with everything the cache key needs. */
export interface InstallPlan {
  installer: string;
  /** Runtime part of the key, e.g. `python-cpython-3.11.7`. */
  runtime: string;
  interpreterPath: string;
  files: DependencyFile[];
  /** Creates the empty environment (e.g. `python -m venv`), before `commands`. */
  create?: Command;
  commands: Command[];
  /** What is cached: absolute paths. */
  cachePaths: string[];
  /** Written after a good install; a restore whose stamp differs from the key is not trusted. */
  stampPath: string;
  /** The package manager's download cache, restored on a miss to speed the install up. */
  downloads?: { tool: string; path: string; env: Record<string, string> };
  /** Variables every command in the environment runs with. */
  env: Record<string, string>;
  /** Variables the install commands alone run with (where the package manager keeps downloads). */
  installEnv: Record<string, string>;
  nothingToInstall: boolean;
  notes: string[];
}

export interface InstallOutcome {
  stage: StageResult;
  log: StageLog;
  cacheHit: boolean;
  cacheKey?: string;
  environment?: Environment;
}

/** An ecosystem's plan plus how to check a restored environment and describe the installed one. */
interface Prepared {
  plan: InstallPlan;
  /** `restored`: the tree has just come out of the cache, exactly as it was saved. */
  verify(key: string, restored: boolean): Promise<boolean>;
  /** After a good install, before the save: notes that let a later restore skip checks. */
  record?(): Promise<void>;
  environment(): Promise<Environment>;
  /** A sentence that explains a failed install, when the ecosystem recognises the failure. */
  explain?(output: string): string | undefined;
}

export async function install(config: Config, context: RunContext, ports: Ports, language: 'python' | 'node'): Promise<InstallOutcome> {
  const started = Date.now();
  const log = new StageLog(ports.runner);
  const result = (status: StageResult['status'], headline: string, rest: Omit<InstallOutcome, 'stage' | 'log'>, details?: string[]): InstallOutcome => ({
    stage: { name: 'install', status, durationMs: Date.now() - started, headline, details },
    log,
    ...rest
  });

  const prepared: Prepared = language === 'node' ? await prepareNode(config, context, log) : await preparePython(config, context, log);
  const { plan } = prepared;
  plan.notes.forEach((note) => ports.reporter.warning(note));
  const keyParts: EnvironmentKeyParts = {
    cacheVersion: config.cacheVersion,
    os: context.os,
    arch: context.arch,
    runtime: plan.runtime,
    interpreterPath: plan.interpreterPath,
    files: plan.files,
    commands: [plan.create, ...plan.commands].filter((c): c is Command => c !== undefined).map(commandLine)
  };
  const key = environmentKey(keyParts);
  const cache = config.cache && !plan.nothingToInstall && ports.cache ? cacheFlow(ports.cache, context, ports.reporter, log) : undefined;
  log.write(`Dependency files: ${plan.files.map((f) => f.path).join(', ') || 'none'}`);
  log.write(`Cache key: ${key}`);

  const clear = (): void => plan.cachePaths.forEach((path) => rmSync(path, { recursive: true, force: true }));
  // An environment left by an earlier run with this very key (the CLI's, a persistent runner's)
  // is as good as a restore, and cheaper.
  if (config.cache && !plan.nothingToInstall && (await prepared.verify(key, false))) {
    return result('success', `already installed for this key (${plan.installer})`, { cacheHit: true, cacheKey: key, environment: await prepared.environment() });
  }
  clear();
  if (cache && (await cache.restore(plan.cachePaths, key)) === key) {
    if (await prepared.verify(key, true)) {
      return result('success', `restored from cache (${plan.installer})`, { cacheHit: true, cacheKey: key, environment: await prepared.environment() });
    }
    ports.reporter.warning(
      `The environment restored from the cache (key ${key}) does not run; discarding it and installing afresh. Cache entries cannot be replaced: bump \`cache-version\` to stop restoring this one.`
    );
    clear();
  }

  const downloadKeys = plan.downloads && downloadCacheKeys(keyParts, plan.downloads.tool);
  const restoredDownloads = cache && plan.downloads && downloadKeys ? await cache.restore([plan.downloads.path], downloadKeys.key, downloadKeys.restoreKeys) : undefined;

  for (const step of [plan.create, ...plan.commands]) {
    if (!step) continue;
    const stop = ports.reporter.progress(`installing dependencies (${plan.installer})`);
    const run = await log
      .run(step.command, step.args, { cwd: config.workingDirectory, env: { ...plan.env, ...plan.installEnv, ...step.env } })
      .finally(stop);
    if (run.code !== 0) {
      const hint = prepared.explain?.(`${run.stdout}\n${run.stderr}`);
      const shown = [...Object.entries(step.env ?? {}).map(([name, value]) => `${name}=${value}`), step.command, ...step.args];
      const headline = hint ?? `install failed: \`${shown.join(' ')}\` exited with ${run.code}`;
      return result('failure', headline, { cacheHit: false, cacheKey: key }, [log.tail()]);
    }
  }
  mkdirSync(dirname(plan.stampPath), { recursive: true }); // a project with no dependencies has no node_modules
  writeFileSync(plan.stampPath, key);
  await prepared.record?.();

  const cached = cache ? await cache.save(plan.cachePaths, key) : false;
  if (cache && plan.downloads && downloadKeys && restoredDownloads !== downloadKeys.key && existsSync(plan.downloads.path)) {
    await cache.save([plan.downloads.path], downloadKeys.key);
  }
  const headline = plan.nothingToInstall ? 'nothing to install' : `installed with ${plan.installer}${cached ? ' and cached' : ''}`;
  return result('success', headline, { cacheHit: false, cacheKey: plan.nothingToInstall ? undefined : key, environment: await prepared.environment() });
}

function commandLine(step: Command): string[] {
  return [step.command, ...step.args, ...Object.entries(step.env ?? {}).map(([name, value]) => `${name}=${value}`)];
}

/** The key's dependency files as the user chose them (`cache-dependency-path`) or as detected. */
function keyFiles(config: Config, detected: string[]): DependencyFile[] {
  const root = config.workingDirectory;
  const paths = config.cacheDependencyFiles ? config.cacheDependencyFiles.map((file) => relative(root, file)) : detected;
  return paths.map((path) => ({ path: path.split('\\').join('/'), content: readFileSync(join(root, path)) }));
}

// ---------------------------------------------------------------------------------------------
// Python: a virtualenv outside the project tree

async function preparePython(config: Config, context: RunContext, log: StageLog): Promise<Prepared> {
  const venv = join(context.stateDir, 'venv');
  const interpreter = await probeInterpreter(config, log);
  log.write(`Python ${interpreter.version} (${interpreter.implementation}) at ${interpreter.executable}`);
  const files = diskProjectFiles(config.workingDirectory);
  // A PATH search per tool on every run is wasted unless the project has that tool's lock file.
  const usable = (tool: string, lockFile: string): boolean => files.read(lockFile) !== undefined && onPath(tool);
  const detected = planPythonInstall({
    files,
    venv,
    available: { poetry: usable('poetry', 'poetry.lock'), uv: usable('uv', 'uv.lock') },
    installCommands: config.installCommands
  });
  const nothingToInstall = detected.installer === 'none';
  const env = { VIRTUAL_ENV: venv, PATH: `${join(venv, 'bin')}:${process.env.PATH ?? ''}`, PYTHONDONTWRITEBYTECODE: '1' };
  const downloads = join(context.stateDir, 'pip-downloads');
  const plan: InstallPlan = {
    installer: detected.installer,
    runtime: `python-${interpreter.implementation}-${interpreter.version}`,
    interpreterPath: interpreter.executable,
    files: keyFiles(config, detected.dependencyFiles),
    create: { command: interpreter.executable, args: ['-m', 'venv', ...(nothingToInstall ? ['--without-pip'] : []), venv] },
    commands: detected.commands,
    cachePaths: [venv],
    stampPath: join(venv, '.slipway-key'),
    downloads: nothingToInstall ? undefined : { tool: 'pip', path: downloads, env: { PIP_CACHE_DIR: downloads } },
    env,
    installEnv: { PIP_CACHE_DIR: downloads },
    nothingToInstall,
    notes: detected.notes
  };
  const python = venvPython(venv);
  // One interpreter start answers both "does the environment run from here?" and "what tools has it?".
  let probed: ReturnType<typeof parseTools> | undefined;
  const probe = async (): Promise<ReturnType<typeof parseTools>> => {
    const run = await log.run(python, ['-c', TOOLS_PROBE], { cwd: config.workingDirectory, env });
    return run.code === 0 ? parseTools(run.stdout) : parseTools('');
  };
  // The probe's answer, saved inside the environment after the install, so that a restore of that
  // very archive needs no interpreter start (~75 ms) to learn it again.
  const recordPath = join(venv, '.slipway-tools.json');
  const recorded = (): ReturnType<typeof parseTools> | undefined => {
    const record = existsSync(recordPath) ? parseTools(readFileSync(recordPath, 'utf8')) : undefined;
    return record?.prefix === venv ? record : undefined;
  };
  return {
    plan,
    /**
     * A virtualenv is used only if its stamp matches and its interpreter runs from where it is. Just
     * restored, a link to this run's interpreter and the install's own record say so; otherwise
     * (left by an earlier run, and perhaps changed since) the interpreter is asked.
     */
    async verify(key, restored) {
      if (!existsSync(plan.stampPath) || readFileSync(plan.stampPath, 'utf8') !== key) return false;
      if (restored && existsSync(join(venv, 'pyvenv.cfg')) && resolvesTo(python, interpreter.executable)) {
        probed = recorded();
        if (probed) return true;
      }
      try {
        probed = await probe();
        if (probed.prefix === venv) return true;
        probed = undefined; // what this environment holds is about to be replaced
        return false;
      } catch (error) {
        log.write(`restored environment does not run: ${describeError(error)}`);
        probed = undefined;
        return false;
      }
    },
    async record() {
      probed = await probe();
      if (probed.prefix === venv) writeFileSync(recordPath, JSON.stringify(probed));
    },
    async environment(): Promise<PythonEnvironment> {
      probed ??= await probe();
      return { ecosystem: 'python', venv, python, env, tools: probed.tools };
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Node: node_modules in the project, installed from the lockfile

async function prepareNode(config: Config, context: RunContext, log: StageLog): Promise<Prepared> {
  const root = config.workingDirectory;
  const files = diskProjectFiles(root);
  const probe = await log
    .run('node', ['-p', 'JSON.stringify([process.version.slice(1), process.execPath, process.allowedNodeEnvironmentFlags.has("--experimental-test-coverage")])'], { cwd: root })
    .catch(() => undefined);
  if (!probe || probe.code !== 0) throw new SlipwayError('`node` was not found or does not run. Install Node.js before Slipway (e.g. with actions/setup-node).');
  const [nodeVersion, nodePath, nodeCoverageInOptions] = JSON.parse(probe.stdout.trim()) as [string, string, boolean];
  const detected = planNodeInstall({
    files,
    root,
    downloadsDir: join(context.stateDir, 'node-downloads'),
    available: { yarn: onPath('yarn'), pnpm: onPath('pnpm'), corepack: onPath('corepack') },
    installCommands: config.installCommands,
    pathEnv: process.env.PATH
  });
  const version = managerCommand(detected.runner, ['--version']);
  const managerVersion = await log.run(version.command, version.args, { cwd: root, env: version.env }).catch(() => undefined);
  const runtime = `node-${nodeVersion}-${detected.manager}-${managerVersion?.code === 0 ? managerVersion.stdout.trim().split('\n').pop() : 'unknown'}`;
  log.write(`Node ${nodeVersion} at ${nodePath}; ${detected.manager}${detected.runner.corepack ? ' (through corepack)' : ''}`);
  const plan: InstallPlan = {
    installer: detected.installer,
    runtime,
    // Installed trees hard-code the project's path (pnpm's bin scripts do): it is part of the key.
    interpreterPath: `${nodePath}\0${root}`,
    files: config.cacheDependencyFiles ? keyFiles(config, []) : detected.dependencyFiles,
    commands: detected.commands,
    cachePaths: detected.cachePaths,
    stampPath: detected.stampPath,
    downloads: detected.downloads,
    env: detected.env,
    installEnv: detected.installEnv,
    nothingToInstall: false,
    notes: detected.notes
  };
  return {
    plan,
    /** A restored tree is used only if its stamp matches and every direct dependency is there. */
    async verify(key) {
      if (!existsSync(plan.stampPath) || readFileSync(plan.stampPath, 'utf8') !== key) return false;
      const missing = detected.verify.filter((path) => !existsSync(path));
      if (missing.length > 0) log.write(`restored tree lacks ${missing.slice(0, 3).join(', ')}`);
      return missing.length === 0;
    },
    async environment() {
      const tools = detected.pnp ? declaredNodeTools(files) : nodeTools((path) => existsSync(join(root, path)));
      return { ecosystem: 'node', root, env: detected.env, tools, runner: detected.runner, scripts: packageScripts(files), pnp: detected.pnp, nodeCoverageInOptions };
    },
    explain: (output) => frozenInstallHint(detected.manager, output)
  };
}

/** True when `link` leads (through any symlinks) to `target`; false when it leads nowhere. */
function resolvesTo(link: string, target: string): boolean {
  try {
    return realpathSync(link) === target;
  } catch {
    return false;
  }
}

async function probeInterpreter(config: Config, log: StageLog) {
  const missing = `Input \`python\`: "${config.python}" was not found or does not run. Install it (e.g. with actions/setup-python before Slipway) or set \`python\` to an interpreter that exists.`;
  let run;
  try {
    run = await log.run(config.python, ['-c', INTERPRETER_PROBE], { cwd: config.workingDirectory });
  } catch {
    throw new SlipwayError(missing);
  }
  const interpreter = run.code === 0 ? parseInterpreter(run.stdout) : undefined;
  if (!interpreter) throw new SlipwayError(`${missing}\n${log.tail(5)}`);
  return interpreter;
}
