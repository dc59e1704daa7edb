// Python's install: a virtualenv outside the project tree (in the run's state folder), made with
// the `python` input's interpreter; checked after a restore, and probed for its tools.
import { join, posix } from 'node:path';
import { SlipwayError, describeError } from '../../errors.js';
import type { StageLog } from '../../stage-log.js';
import type { Config } from '../../config.js';
import type { Environment, InstallPlan, InstallPorts, InstallRequest, Installation } from '../ecosystem.js';
import { projectFiles } from '../project-files.js';
import { readKeyFiles } from '../shared.js';
import { explainPipFailure } from './install-errors.js';
import { lockTool, planPythonInstall, venvPython } from './install-plan.js';
import { distributions, metadataNameVersion, normalizedName, type Distribution } from './installed.js';
import { SEED_DISTRIBUTIONS, neededSeed, seedPaths, type InstalledSeed, type SeedDistribution } from './seed.js';
import { indexHasTool } from './tool-fetch.js';
import { INTERPRETER_PROBE, TOOLS_PROBE, parseInterpreter, parseTools, type Interpreter, type ProbedTools, type PythonTools } from './tools.js';

/** What the test and lint plans need of a virtualenv. */
export interface PythonData {
  venv: string;
  /** The environment's interpreter. */
  python: string;
  tools: PythonTools;
}

export async function installPython({ config, stateDir }: InstallRequest, { log, files, host }: InstallPorts): Promise<Installation<PythonData>> {
  const venv = join(stateDir, 'venv');
  const interpreter = await probeInterpreter(config, log);
  log.write(`Python ${interpreter.version} (${interpreter.implementation}) at ${interpreter.executable}`);
  const project = projectFiles(files, config.workingDirectory);
  // A PATH search per tool on every run is wasted unless the project has that tool's lock file.
  const usable = (tool: string, lockFile: string): boolean => project.read(lockFile) !== undefined && host.which(tool);
  const available = { poetry: usable('poetry', 'poetry.lock'), uv: usable('uv', 'uv.lock') };
  // A lock file whose tool is missing: the tool is installed for the install when the index has it.
  const tool = config.installCommands?.length ? undefined : lockTool(project);
  const fetchable = tool && !available[tool] && (await indexHasTool(log, interpreter.executable, tool, config.workingDirectory));
  const detected = planPythonInstall({
    files: project,
    venv,
    available,
    fetch: tool && fetchable ? { tool, dir: join(stateDir, 'tools', tool), interpreter: interpreter.executable } : undefined,
    installCommands: config.installCommands
  });
  detected.choices.forEach((line) => log.write(line));
  const nothingToInstall = detected.installer === 'none';
  const env = { VIRTUAL_ENV: venv, PATH: `${join(venv, 'bin')}:${host.env.PATH ?? ''}`, PYTHONDONTWRITEBYTECODE: '1' };
  const downloads = join(stateDir, 'pip-downloads');
  const plan: InstallPlan = {
    installer: detected.installer,
    runtime: `python-${interpreter.implementation}-${interpreter.version}`,
    interpreterPath: interpreter.executable,
    files: readKeyFiles(project, detected.dependencyFiles),
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
  let probed: ProbedTools | undefined;
  const probe = async (): Promise<ProbedTools> => {
    const run = await log.run(python, ['-c', TOOLS_PROBE], { cwd: config.workingDirectory, env });
    return parseTools(run.code === 0 ? run.stdout : '');
  };
  // The probe's answer, saved inside the environment after the install, so that a restore of that
  // very archive needs no interpreter start (~75 ms) to learn it again.
  const recordPath = join(venv, '.slipway-tools.json');
  const recorded = (): ProbedTools | undefined => {
    const text = files.read(recordPath);
    const record = text === undefined ? undefined : parseTools(text);
    return record?.prefix === venv ? record : undefined;
  };
  return {
    plan,
    /**
     * A virtualenv is used only if its interpreter runs from where it is. Just restored, a link to
     * this run's interpreter and the install's own record say so; otherwise (left by an earlier
     * run, and perhaps changed since) the interpreter is asked.
     */
    async verify(restored) {
      if (restored && files.exists(join(venv, 'pyvenv.cfg')) && files.resolve(python) === interpreter.executable) {
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
      if (probed.prefix === venv) files.write(recordPath, JSON.stringify(probed));
    },
    setAside: async () => seedToSetAside(venv, config.workingDirectory, files),
    async environment(): Promise<Environment<PythonData>> {
      probed ??= await probe();
      return { root: config.workingDirectory, env, data: { venv, python, tools: probed.tools } };
    },
    explain: explainPipFailure
  };
}

async function probeInterpreter(config: Pick<Config, 'python' | 'workingDirectory'>, log: StageLog): Promise<Interpreter> {
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

/** The seed packages' files in the virtualenv that nothing of the project needs (see seed.ts). */
function seedToSetAside(venv: string, projectRoot: string, files: InstallPorts['files']): string[] {
  const read = (paths: string[]): string[] => paths.map((path) => files.read(path) ?? '');
  const bySitePackages = new Map<string, Distribution[]>();
  for (const dist of distributions(venv, files)) bySitePackages.set(dist.sitePackages, [...(bySitePackages.get(dist.sitePackages) ?? []), dist]);
  // The project's own code is read once, and only when there is a seed to decide on.
  let project: string[] | undefined;
  return [...bySitePackages].flatMap(([folder, dists]) => {
    const seeds: InstalledSeed[] = [];
    const metadata: string[] = [];
    for (const { distInfo, metadata: text = '' } of dists) {
      const name = normalizedName(metadataNameVersion(text)?.name ?? '');
      if ((SEED_DISTRIBUTIONS as readonly string[]).includes(name)) {
        seeds.push({ name: name as SeedDistribution, distInfo, record: files.read(posix.join(folder, distInfo, 'RECORD')) ?? '' });
      } else metadata.push(text);
    }
    if (seeds.length === 0) return [];
    const candidates = seedPaths(seeds, new Set());
    const ownedBySeed = (path: string): boolean =>
      candidates.some((seed) => path === posix.join(folder, seed) || path.startsWith(`${posix.join(folder, seed)}/`));
    project ??= read(files.glob(projectRoot, '**/*.py').filter((path) => !path.includes('/site-packages/')));
    const evidence = { metadata, libraries: read(files.glob(folder, '**/*.py').filter((path) => !ownedBySeed(path))), project };
    return seedPaths(seeds, neededSeed(evidence))
      .map((path) => posix.normalize(posix.join(folder, path)))
      .filter((path) => files.exists(path));
  });
}
