#!/usr/bin/env node
// `npm run bench`: Slipway's performance, measured end to end on this machine. See BENCHMARKS.md.
//
// Scenarios (each repeated; A and B alternate within a round so ratios are taken side by side):
//   1 dependency   warm dependency step (bundled action, real @actions/cache, fake cache service)
//                  vs the setup-python strategy (pip download cache restored, venv + pip install)
//                  vs a cold install; on examples/flask-app and on a heavy project (bench/fixtures/dataapp)
//   2 overhead     whole-step wall time minus the work it waits for, on the warm runs of scenario 1;
//                  bundle start-up (dist/index.js failing at once on a bad input) vs `node -e 0`
//   3 concurrency  test+lint wall time inside Slipway vs the same commands alone (sum and max);
//                  ★ the whole warm step (spawn → exit) vs the bare test+lint started together in the
//                  ready environment, beside its physical limit (bare test+lint + raw zstd | tar of the
//                  archives the warm run restored, all at once + node -e 0, over bare test+lint)
//   4 key          cache key cost on a 10,000-file repository with 50 dependency files
//   5 transfer     save/restore throughput of an installed environment: Slipway's saveEnvironment /
//                  restoreEnvironment (its parts, and Python's seed entry, at once, each streamed into
//                  tar) and @actions/cache's one entry, both against the fake service; raw tar --zstd of
//                  the whole tree (one stream); raw zstd -dc | tar -x of Slipway's part archives all at
//                  once (the same split, the hardware's limit); CLI local store
//   6 shard        test sharding on a generated suite of 240 tests with skewed durations: the slowest of
//                  4 shards over the mean, split by file size and by recorded durations; merged = unsharded
//                  (only with --only …,shard: not part of the default run)
//
// Options: --reps N (rounds per scenario, default 3), --heavy-reps N (rounds on the heavy project,
//          default 2: each costs ~2 min here), --startup-reps N (default 10),
//          --only dependency,overhead,concurrency,key,transfer (scenario names; 1-3 share runs),
//          --projects flask-app,dataapp, --transfer-project flask-app|dataapp|node-app (whose
//          environment scenario 5 moves: a virtualenv made by one Slipway cold run, or node-app's
//          node_modules from one `npm ci`; dataapp adds ~2 min), --action-dir DIR (another build: action.yml + dist/),
//          --keep (keep the temp folder), --no-write (no results.json / BENCHMARKS.md update),
//          --results FILE (write the results there instead, and leave BENCHMARKS.md alone),
//          --cpu-prof DIR (V8 CPU profile of every Slipway run into DIR; adds profiling overhead),
//          --keep-path (leave PATH as it is: by default the interpreter's own folder goes first, as
//          actions/setup-python does, so that a version manager's shim is not what gets measured)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildBenchModules } from './lib/build.mjs';
import { writeLegacyCode } from './lib/legacy.mjs';
import { startPipMirror } from './lib/mirror.mjs';
import { benchResult, cleanEnv, emptyDir, mustRun, run, treeSize } from './lib/proc.mjs';
import { pairedRatio, summary, unionLength } from './lib/stats.mjs';
import { writeSyntheticRepo } from './lib/synthetic-repo.mjs';
import { archiveFiles, downloadedIds, loggedCacheKey, rawExtract, rawExtractInPlace, restoredEntries } from './lib/raw-extract.mjs';
import { shardScenario } from './lib/shard-scenario.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH, '..');
const began = Date.now();

const { values: opts } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    'heavy-reps': { type: 'string', default: '2' },
    'startup-reps': { type: 'string', default: '10' },
    'transfer-project': { type: 'string', default: 'flask-app' },
    only: { type: 'string' },
    projects: { type: 'string', default: 'flask-app,dataapp' },
    'action-dir': { type: 'string' },
    keep: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    results: { type: 'string' },
    'cpu-prof': { type: 'string' },
    'keep-path': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' }
  }
});
if (opts.help) {
  const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8')
    .split('\n')
    .slice(1);
  const header = lines.slice(
    0,
    lines.findIndex((l) => !l.startsWith('//'))
  );
  process.stdout.write(`${header.map((l) => l.slice(3)).join('\n')}\n`);
  process.exit(0);
}
const REPS = Number(opts.reps);
const HEAVY_REPS = Number(opts['heavy-reps']);
const STARTUP_REPS = Number(opts['startup-reps']);
const ONLY = new Set((opts.only ?? 'dependency,overhead,concurrency,key,transfer').split(',').map((s) => s.trim()));
const PROJECTS = opts.projects.split(',').map((s) => s.trim());
const SOURCE_ACTION_DIR = resolve(opts['action-dir'] ?? process.env.SLIPWAY_BENCH_ACTION_DIR ?? REPO);
const LEGACY_MODULES = 60;
const CORES = os.availableParallelism?.() ?? os.cpus().length;
const PYTHON = process.env.SLIPWAY_E2E_PYTHON ?? 'python3';
// On GitHub's runners `python3` on PATH is the interpreter itself: actions/setup-python puts its folder
// first. On a developer's machine it is often a version manager's shim (pyenv's is a bash script that
// costs ~90 ms per start), which every strategy would pay and which would be billed to Slipway's
// interpreter probe. Like setup-python, the bench puts the real interpreter's folder first on PATH.
const PYTHON_DIR = dirname(execFileSync(PYTHON, ['-c', 'import os, sys; print(os.path.realpath(sys.executable))'], { encoding: 'utf8' }).trim());
const PATH_CHANGED = !opts['keep-path'] && existsSync(join(PYTHON_DIR, basename(PYTHON))) && !(process.env.PATH ?? '').startsWith(`${PYTHON_DIR}${delimiter}`);
if (PATH_CHANGED) process.env.PATH = `${PYTHON_DIR}${delimiter}${process.env.PATH ?? ''}`;

const log = (message) => process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;

// ------------------------------------------------------------------------------------------ setup

if (!existsSync(join(SOURCE_ACTION_DIR, 'dist', 'index.js')) || !existsSync(join(SOURCE_ACTION_DIR, 'dist', 'cli.js'))) {
  throw new Error(`${SOURCE_ACTION_DIR}/dist/index.js or cli.js is missing: run \`npm run bundle\` first`);
}
const staleness = newestMtime(join(REPO, 'src')) - statSync(join(SOURCE_ACTION_DIR, 'dist', 'index.js')).mtimeMs;
if (SOURCE_ACTION_DIR === REPO && staleness > 0) {
  log(
    `WARNING: src/ changed ${Math.round(staleness / 1000)} s after dist/index.js was built; the action measured is dist/ as it is (run \`npm run bundle\` to measure src/).`
  );
}

const build = buildBenchModules(REPO);
log(`compiled ${build.files} TypeScript files into ${build.rel} in ${Math.round(build.ms)} ms`);
// One build for the whole run: a copy of action.yml and dist/ as they are now (a rebuild of dist/
// while the bench runs must not change what is measured halfway).
const ACTION_DIR = join(build.dir, 'action');
mkdirSync(ACTION_DIR, { recursive: true });
cpSync(join(SOURCE_ACTION_DIR, 'action.yml'), join(ACTION_DIR, 'action.yml'));
cpSync(join(SOURCE_ACTION_DIR, 'dist'), join(ACTION_DIR, 'dist'), { recursive: true });
const distIndex = join(ACTION_DIR, 'dist', 'index.js');
const distCli = join(ACTION_DIR, 'dist', 'cli.js');
const distCommit = gitHead();
const { runAction } = await import(pathToFileURL(join(build.dir, 'support', 'action-runner.js')).href);
const { startCacheService } = await import(pathToFileURL(join(build.dir, 'support', 'cache-service.js')).href);
const { pipMirrorEnv } = await import(pathToFileURL(join(build.dir, 'support', 'python.js')).href);
const { startArtifactService } = await import(pathToFileURL(join(build.dir, 'support', 'artifact-service.js')).href);

const TMP = mkdtempSync(join(os.tmpdir(), 'slipway-bench-'));
const svc = await startCacheService({ storageDir: join(TMP, 'cache-service') });
const mirror = await startPipMirror(pipMirrorEnv(PYTHON));
const PIP_ENV = mirror.env;
const hookUrl = pathToFileURL(join(BENCH, 'lib', 'trace-hook.mjs')).href;
const PY_VERSION = execFileSync(PYTHON, ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8' }).trim();
const machine = machineInfo();
log(
  `machine: ${machine.cpu} ×${machine.cores}, ${machine.memoryGiB} GiB, load ${machine.loadStart.join(' ')}; Python ${PY_VERSION}; pip index ${PIP_ENV.PIP_INDEX_URL ?? '(default)'}`
);
log(PATH_CHANGED ? `PATH starts with ${PYTHON_DIR} (the interpreter's own folder, as actions/setup-python sets it)` : 'PATH as given');

const results = {
  startedAt: new Date(began).toISOString(),
  machine,
  options: {
    reps: REPS,
    heavyReps: HEAVY_REPS,
    startupReps: STARTUP_REPS,
    only: [...ONLY],
    projects: PROJECTS,
    actionDir: SOURCE_ACTION_DIR,
    distStaleMs: Math.max(0, staleness),
    pythonFirstOnPath: PATH_CHANGED ? PYTHON_DIR : null
  },
  build: {
    commit: distCommit,
    distIndexBytes: statSync(distIndex).size,
    distIndexMtime: statSync(join(SOURCE_ACTION_DIR, 'dist', 'index.js')).mtime.toISOString()
  },
  scenarios: {}
};
let traceCounter = 0;

try {
  if (ONLY.has('overhead')) results.scenarios.startup = await startupScenario();
  if (ONLY.has('key')) results.scenarios.key = await keyScenario();
  if (ONLY.has('shard')) {
    const context = { runAction, startArtifactService, svc, tmp: TMP, pipEnv: PIP_ENV, actionDir: ACTION_DIR, reps: REPS, log };
    results.scenarios.shard = await shardScenario(context);
  }
  const projects = {};
  const made = {};
  if (['dependency', 'overhead', 'concurrency'].some((s) => ONLY.has(s))) {
    for (const name of PROJECTS) projects[name] = await dependencyScenario((made[name] = makeProject(name)));
    results.scenarios.dependency = projects;
  }
  if (ONLY.has('transfer')) {
    const name = opts['transfer-project'];
    // The environment to move: a project's from the runs above, else one Slipway cold run makes and
    // saves it (Python); node-app's node_modules is `npm ci`'d once.
    made[name] ??= makeProject(name);
    const environment = name === 'node-app' ? await npmInstalled(made[name]) : (projects[name] ?? (await coldSaved(made[name])));
    results.scenarios.transfer = await transferScenario(made[name], environment);
  }
} finally {
  await svc.stop().catch(() => undefined);
  await mirror.stop().catch(() => undefined);
  if (opts.keep) log(`kept ${TMP}`);
  else rmSync(TMP, { recursive: true, force: true });
}

results.machine.loadEnd = os.loadavg().map((l) => Number(l.toFixed(2)));
results.runtimeSeconds = Number(((Date.now() - began) / 1000).toFixed(1));
results.rows = tableRows(results);
const table = renderTable(results.rows);
process.stdout.write(
  `\n${table}\n\nRuntime: ${results.runtimeSeconds} s (load average ${machine.loadStart.join(' ')} → ${results.machine.loadEnd.join(' ')})\n`
);
if (!opts['no-write']) {
  const file = resolve(opts.results ?? join(BENCH, 'results.json'));
  writeFileSync(`${file}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  if (!opts.results) updateBenchmarksMd(results, table);
  log(`wrote ${file}${opts.results ? '' : ' and the generated part of BENCHMARKS.md'}`);
}

// ------------------------------------------------------------------------------------------ projects

function makeProject(name) {
  const template = join(TMP, 'templates', name);
  const skip = (src) => !/(^|\/)(__pycache__|\.pytest_cache|\.ruff_cache|\.venv|\.coverage)$/.test(src);
  if (name === 'flask-app') cpSync(join(REPO, 'examples', 'flask-app'), template, { recursive: true, filter: skip });
  else if (name === 'dataapp') {
    cpSync(join(BENCH, 'fixtures', 'dataapp'), template, { recursive: true, filter: skip });
    writeLegacyCode(template, LEGACY_MODULES);
  } else if (name === 'node-app') {
    cpSync(join(REPO, 'examples', 'node-app'), template, { recursive: true, filter: (src) => !/(^|\/)(node_modules|coverage)$/.test(src) });
  } else throw new Error(`unknown project ${name} (flask-app, dataapp or node-app)`);
  // One runner: the workspace and RUNNER_TEMP keep their absolute paths from job to job.
  const ws = join(TMP, 'work', name, name);
  const jobDir = join(TMP, 'jobs', name);
  const requirements = readdirSync(template)
    .filter((f) => /^requirements.*\.txt$/i.test(f))
    .sort();
  const digest = createHash('sha256');
  for (const file of requirements) digest.update(readFileSync(join(template, file)));
  return {
    name,
    template,
    ws,
    jobDir,
    runnerTemp: join(jobDir, 'temp'),
    requirements,
    setupPythonKey: `setup-python-${process.platform}-${process.arch}-python-${PY_VERSION}-pip-${digest.digest('hex')}`,
    files: treeSize(template).files
  };
}

/**
 * A new job on the same runner: workspace and RUNNER_TEMP emptied (same paths), the project checked
 * out again, and the disk settled (`sync`, not timed) so a job never pays for the previous job's writes
 * and deletions.
 */
function freshJob(project) {
  emptyDir(project.ws);
  cpSync(project.template, project.ws, { recursive: true });
  emptyDir(project.jobDir);
  mkdirSync(project.runnerTemp, { recursive: true });
  execFileSync('sync');
}

// ------------------------------------------------------------------------------------------ Slipway runs

/** One job running the bundled action; returns the timings read from its trace. */
async function slipwayJob(project, label, inputs = {}) {
  freshJob(project);
  mkdirSync(join(TMP, 'traces'), { recursive: true });
  const traceFile = join(TMP, 'traces', `${project.name}-${label}-${++traceCounter}.json`);
  const requestsBefore = svc.requests.length;
  const result = await runAction({
    workspace: project.ws,
    jobDir: project.jobDir,
    actionDir: ACTION_DIR,
    cacheService: svc,
    inputs,
    timeoutMs: 900_000,
    env: {
      ...PIP_ENV,
      NODE_OPTIONS: `--import=${hookUrl}`,
      SLIPWAY_BENCH_TRACE: traceFile,
      ...(opts['cpu-prof']
        ? {
            SLIPWAY_BENCH_CPU_PROFILE: join(
              mkdirSync(resolve(opts['cpu-prof']), { recursive: true }) ?? resolve(opts['cpu-prof']),
              `${project.name}-${label}.cpuprofile`
            )
          }
        : {})
    }
  });
  const ended = Date.now();
  if (!result.ok || !existsSync(traceFile)) {
    throw new Error(`Slipway (${project.name}, ${label}) failed: exit ${result.code}\n${result.log.slice(-4000)}\n${result.stderr.slice(-2000)}`);
  }
  const analysed = analyseRun(result, JSON.parse(readFileSync(traceFile, 'utf8')), ended);
  // The environment's key as the install stage logged it, and the archives this run downloaded.
  analysed.envKey = loggedCacheKey(result.stdout) ?? analysed.cacheKey;
  analysed.downloadedEntryIds = [...downloadedIds(svc.requests.slice(requestsBefore))];
  return analysed;
}

function childKind(child) {
  const name = basename(child.cmd);
  const args = child.args.join(' ');
  if (['tar', 'zstd', 'unzstd', 'zstdmt', 'gzip'].includes(name)) return 'cache';
  if (/(^| )-m (pytest|coverage)( |$)/.test(args) || /slipway_unittest\.py/.test(args)) return 'test';
  if (name === 'ruff' || name === 'flake8' || /(^| )-m flake8( |$)/.test(args)) return 'lint';
  if (/(^| )-m (pip|venv)( |$)/.test(args) || ['poetry', 'uv'].includes(name)) return 'install';
  return 'probe';
}

function analyseRun(result, trace, ended) {
  const start = Math.min(trace.origin, ended - result.durationMs);
  const end = start + result.durationMs;
  const stageAt = (name) => trace.stages.find((s) => s.line.slice(2).startsWith(`${name} `));
  const install = stageAt('install');
  const test = stageAt('test');
  const lint = stageAt('lint');
  if (!install || !test || !lint) throw new Error(`missing stage lines in the trace: ${JSON.stringify(trace.stages)}`);
  const phaseEnd = Math.max(test.t, lint.t);
  const children = trace.children.map((c) => ({ ...c, kind: childKind(c) }));
  const of = (kind) => children.filter((c) => c.kind === kind);
  const http = trace.http.filter((h) => h.end > h.start);
  const work = [...http, ...of('cache'), ...of('test'), ...of('lint'), ...of('install')];
  const workMs = unionLength(work);
  const firstChild = Math.min(...children.map((c) => c.start));
  return {
    ok: result.ok,
    cacheHit: result.outputs['cache-hit'],
    cacheKey: result.outputs['cache-key'],
    stageLines: trace.stages.map((s) => s.line),
    wallMs: result.durationMs,
    dependencyStepMs: install.t - start,
    phaseMs: phaseEnd - install.t,
    workMs,
    overheadMs: result.durationMs - workMs,
    breakdown: {
      nodeCpuMs: trace.cpuMs,
      toFirstChildMs: firstChild - start,
      probeCount: of('probe').length,
      probesMs: unionLength(of('probe')),
      httpMs: unionLength(http),
      httpRequests: http.length,
      tarMs: unionLength(of('cache')),
      installCommandsMs: unionLength(of('install')),
      testMs: unionLength(of('test')),
      lintMs: unionLength(of('lint')),
      afterStagesMs: end - phaseEnd,
      installStageToTestStartMs: Math.min(...[...of('test'), ...of('lint')].map((c) => c.start)) - install.t
    },
    commands: { test: stageCommands(result, 'test'), lint: stageCommands(result, 'lint') },
    runTempPrefix: join(result.runnerTemp, 'slipway')
  };
}

/** The commands a stage ran, from the `$ …` lines of its log groups (titled with the stage's name). */
function stageCommands(result, stage) {
  const commands = [];
  let inStage = false;
  for (const line of result.stdout.split(/\r?\n/)) {
    if (line.startsWith('::group::')) inStage = line === `::group::${stage}` || line.startsWith(`::group::${stage}:`);
    else if (line === '::endgroup::') inStage = false;
    else if (inStage && line.startsWith('$ ')) commands.push(splitShellWords(line.slice(2)));
  }
  return commands;
}

/** Inverse of formatCommand (src/command-line.ts): words, some in '…' with '\'' for a quote. */
function splitShellWords(line) {
  const words = [];
  let word = '';
  let quoted = false;
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === "'") quoted = false;
      else word += ch;
    } else if (ch === "'") {
      quoted = true;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (ch === ' ') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** A stage's commands as the log shows them, with the run's scratch folder swapped for ours; cwd, env. */
function stageInvocation(project, run_, stage, scratch) {
  const commands = run_.commands[stage].map((words) =>
    words.map((w) => w.replace(new RegExp(`${escapeRe(run_.runTempPrefix)}/run-[A-Za-z0-9]+`, 'g'), scratch))
  );
  if (commands.length === 0) throw new Error(`no ${stage} command in the log`);
  const venv = dirname(dirname(commands[0][0]));
  return { commands, cwd: project.ws, env: cleanEnv({ VIRTUAL_ENV: venv, PATH: `${venv}/bin:${process.env.PATH}`, PYTHONDONTWRITEBYTECODE: '1' }) };
}

/**
 * Runs a stage's commands alone (same venv, cwd and activation), after the Slipway run that ran them:
 * wall time, and CPU time (user + sys of the command and its children, from bash's `times`).
 */
async function alone(project, run_, stage) {
  const scratch = join(TMP, 'alone');
  emptyDir(scratch);
  const { commands, env } = stageInvocation(project, run_, stage, scratch);
  const started = process.hrtime.bigint();
  let cpuMs = 0;
  for (const words of commands) {
    const r = await run('bash', ['-c', '"$@"; code=$?; times >&2; exit $code', 'bash', ...words], { cwd: project.ws, env });
    if (stage === 'test' && r.code !== 0) throw new Error(`${stage} alone failed: ${r.stdout.slice(-2000)}`);
    const times = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(r.stderr.trimEnd());
    if (times) cpuMs += (Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4])) * 1000;
  }
  return { wallMs: Number(process.hrtime.bigint() - started) / 1e6, cpuMs };
}

/** The test and lint commands started together by this script (no Slipway): the control for scenario 3. */
async function bothAtOnce(project, run_) {
  const started = process.hrtime.bigint();
  await Promise.all(
    ['test', 'lint'].map(async (stage) => {
      const scratch = join(TMP, `both-${stage}`);
      emptyDir(scratch);
      const { commands, cwd, env } = stageInvocation(project, run_, stage, scratch);
      for (const [command, ...args] of commands) await run(command, args, { cwd, env });
    })
  );
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * How much CPU parallelism this machine gives right now: the wall time of two busy loops run at once
 * divided by one alone. 1.0 = two free cores; 2.0 = the equivalent of one (other jobs use the rest).
 */
async function parallelSlowdown() {
  const loop = () => run(process.execPath, ['-e', 'let s = 0; for (let i = 0; i < 1.5e8; i++) s += i']);
  const ones = [];
  const twos = [];
  for (let i = 0; i < 2; i++) {
    ones.push((await loop()).ms);
    twos.push(Math.max(...(await Promise.all([loop(), loop()])).map((r) => r.ms)));
  }
  return summary(twos).median / summary(ones).median;
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ------------------------------------------------------------------------------------------ setup-python and cold

/** One @actions/cache call in its own node process; with `trace`, also where its time went. */
async function cacheOp(project, op, key, paths, { trace = false, flags = [] } = {}) {
  const traceFile = join(TMP, 'traces', `cache-${op}-${++traceCounter}.json`);
  mkdirSync(dirname(traceFile), { recursive: true });
  const result = await run(process.execPath, [join(BENCH, 'lib', 'cache-op.mjs'), op, key, ...paths, ...flags], {
    cwd: project.ws,
    env: cleanEnv({
      ...svc.env(),
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_WORKSPACE: project.ws,
      RUNNER_TEMP: project.runnerTemp,
      SLIPWAY_BENCH_BUILD: build.dir,
      ...(trace ? { NODE_OPTIONS: `--import=${hookUrl}`, SLIPWAY_BENCH_TRACE: traceFile } : {})
    })
  });
  const value = { ...benchResult(result, `cache ${op}`), wallMs: result.ms };
  if (trace && existsSync(traceFile)) {
    const t = JSON.parse(readFileSync(traceFile, 'utf8'));
    value.httpMs = unionLength(t.http.filter((h) => h.end > h.start));
    value.tarMs = unionLength(t.children.filter((c) => childKind(c) === 'cache' && !c.args.includes('--version')));
  }
  return value;
}

/**
 * What a workflow with actions/setup-python `cache: pip` does: restore pip's download cache (its own
 * action step, so its own node start), `python -m venv`, `pip install` the same requirements as Slipway.
 * Without `restore` this is the cold install (empty pip cache). `save` stores the pip cache afterwards.
 */
async function pipJob(project, { restore, save }) {
  freshJob(project);
  const pipCache = project.pipCache ?? join(project.jobDir, 'pip-cache');
  const venv = join(project.ws, '.venv');
  const t0 = Date.now();
  const restored = restore ? await cacheOp(project, 'restore', project.setupPythonKey, [pipCache]) : undefined;
  const t1 = Date.now();
  await mustRun(PYTHON, ['-m', 'venv', venv], { cwd: project.ws });
  const t2 = Date.now();
  const reqs = project.requirements.flatMap((f) => ['-r', f]);
  await mustRun(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', ...reqs], {
    cwd: project.ws,
    env: cleanEnv({ ...PIP_ENV, PIP_CACHE_DIR: pipCache })
  });
  const t3 = Date.now();
  const saved = save ? await cacheOp(project, 'save', project.setupPythonKey, [pipCache]) : undefined;
  return {
    totalMs: t3 - t0,
    restoreMs: t1 - t0,
    restoreHit: restored ? restored.result === project.setupPythonKey : undefined,
    venvMs: t2 - t1,
    pipMs: t3 - t2,
    pipCacheBytes: existsSync(pipCache) ? treeSize(pipCache).bytes : 0,
    saveMs: saved?.wallMs
  };
}

// ------------------------------------------------------------------------------------------ scenarios 1-3

async function dependencyScenario(project) {
  log(`${project.name}: seeding the caches with a Slipway cold run`);
  const entriesBefore = svc.entries().length;
  const seedSlipway = await slipwayJob(project, 'cold');
  if (seedSlipway.cacheHit !== 'false') throw new Error(`${project.name}: the first run was not a cache miss`);
  log(`${project.name}: Slipway cold run ${secs(seedSlipway.wallMs)} (${seedSlipway.stageLines[0]})`);
  // The setup-python strategy's cache is pip's download cache after one install of the same
  // requirements. Slipway's cold run saved exactly that (its install ran with PIP_CACHE_DIR); reuse
  // the entry (key and path) when it is there, else make one with a cold install + save.
  const venvPython = seedSlipway.commands.test[0][0];
  const venvSize = treeSize(dirname(dirname(venvPython)));
  const stateDir = dirname(dirname(dirname(venvPython)));
  const downloads = svc
    .entries()
    .slice(entriesBefore)
    .find((e) => e.key.includes('-pip-downloads-'));
  let seedPip;
  if (downloads) {
    project.pipCache = join(stateDir, 'pip-downloads');
    project.setupPythonKey = downloads.key;
    log(`${project.name}: setup-python strategy restores pip's cache saved by the cold run (${(downloads.size / 1e6).toFixed(1)} MB compressed)`);
  } else {
    seedPip = await pipJob(project, { restore: true, save: true });
    log(`${project.name}: setup-python cold ${secs(seedPip.totalMs)} + save ${secs(seedPip.saveMs)}; pip cache ${(seedPip.pipCacheBytes / 1e6).toFixed(1)} MB`);
  }

  // On the heavy project the lint is flake8 (a lint-command), which costs about as much as the tests:
  // the concurrency worth measuring. The install stage does not depend on it (same cache key).
  // --jobs=1: one process, like most linters (pylint, mypy); flake8's default forks one per core.
  const inputs = project.name === 'dataapp' ? { 'lint-command': `${venvPython} -m flake8 --jobs=1 .` } : {};
  const rounds = [];
  const reps = project.name === 'dataapp' ? HEAVY_REPS : REPS;
  // Without the dependency scenario only Slipway's own runs are needed (overhead, concurrency).
  const strategies = ONLY.has('dependency') ? ['slipway', 'setupPython', 'cold'] : ['slipway'];
  for (let rep = 0; rep < reps; rep++) {
    const round = {};
    const order = strategies.map((_, i) => strategies[(i + rep) % strategies.length]);
    for (const strategy of order) {
      if (strategy === 'slipway') {
        round.slipway = await slipwayJob(project, `warm${rep}`, inputs);
        if (round.slipway.cacheHit !== 'true') throw new Error(`${project.name}: warm run ${rep} missed the cache: ${round.slipway.stageLines.join(' / ')}`);
        // Scenario 3: the same commands alone, right after, in the state the run left.
        round.testAlone = await alone(project, round.slipway, 'test');
        round.lintAlone = await alone(project, round.slipway, 'lint');
        round.bothAtOnceMs = await bothAtOnce(project, round.slipway);
        round.parallelSlowdown = await parallelSlowdown();
        // The physical limit of the whole step: node's start and a raw extraction of what it restored.
        round.nodeMs = (await mustRun(process.execPath, ['-e', '0'])).ms;
        round.raw = await rawRestore(project, round.slipway, rep);
      } else if (strategy === 'setupPython') {
        round.setupPython = await pipJob(project, { restore: true, save: false });
        if (!round.setupPython.restoreHit) throw new Error(`${project.name}: setup-python restore missed`);
      } else {
        round.cold = await pipJob(project, { restore: false, save: false });
      }
    }
    const s = round.slipway;
    log(
      `${project.name} round ${rep + 1}/${reps}: Slipway warm step ${secs(s.dependencyStepMs)} (wall ${secs(s.wallMs)}, overhead ${Math.round(s.overheadMs)} ms) · ` +
        (round.cold ? `setup-python warm ${secs(round.setupPython.totalMs)} · cold ${secs(round.cold.totalMs)} · ` : '') +
        `test+lint ${secs(s.phaseMs)} vs alone ${secs(round.testAlone.wallMs)} + ${secs(round.lintAlone.wallMs)} (CPU ${secs(round.testAlone.cpuMs)} + ${secs(round.lintAlone.cpuMs)}), both at once without Slipway ${secs(round.bothAtOnceMs)}, 2 busy loops ${round.parallelSlowdown.toFixed(2)}× one`
    );
    log(
      `  whole warm step ${secs(s.wallMs)} vs bare test+lint ${secs(round.bothAtOnceMs)}; raw extraction of ${round.raw.archives.length} archive(s), ` +
        `${(round.raw.bytes / 1e6).toFixed(1)} MB: ${secs(round.raw.concurrentMs)} all at once, ${secs(round.raw.sequentialMs)} one after the other; node -e 0 ${Math.round(round.nodeMs)} ms`
    );
    log(`  breakdown: ${JSON.stringify(s.breakdown, (k, v) => (typeof v === 'number' ? Math.round(v) : v))}`);
    rounds.push(round);
  }

  const col = (f) => rounds.map(f);
  const warm = col((r) => r.slipway.dependencyStepMs);
  const setup = col((r) => r.setupPython?.totalMs);
  const cold = col((r) => r.cold?.totalMs);
  const phase = col((r) => r.slipway.phaseMs);
  const maxAlone = col((r) => Math.max(r.testAlone.wallMs, r.lintAlone.wallMs));
  const sumAlone = col((r) => r.testAlone.wallMs + r.lintAlone.wallMs);
  // What the hardware allows for running both at once: the slower one alone, or all their CPU spread
  // over the cores, whichever is longer.
  const floor = col((r) => Math.max(r.testAlone.wallMs, r.lintAlone.wallMs, (r.testAlone.cpuMs + r.lintAlone.cpuMs) / CORES));
  const out = {
    project: { name: project.name, files: project.files, requirements: project.requirements, venvBytes: venvSize.bytes, venvFiles: venvSize.files },
    inputs: Object.keys(inputs).length ? { 'lint-command': '<venv>/bin/python -m flake8 --jobs=1 .' } : {},
    seeds: { slipwayCold: strip(seedSlipway), setupPythonCold: seedPip },
    slipwayWarmStepMs: summary(warm),
    setupPythonWarmMs: summary(setup),
    coldMs: summary(cold),
    warmOverCold: pairedRatio(warm, cold),
    warmOverSetupPython: pairedRatio(warm, setup),
    overheadMs: summary(col((r) => r.slipway.overheadMs)),
    overheadBreakdownMedians: Object.fromEntries(
      Object.keys(rounds[0].slipway.breakdown).map((k) => [k, Math.round(summary(col((r) => r.slipway.breakdown[k])).median)])
    ),
    wallMs: summary(col((r) => r.slipway.wallMs)),
    concurrency: {
      phaseMs: summary(phase),
      testAloneMs: summary(col((r) => r.testAlone.wallMs)),
      lintAloneMs: summary(col((r) => r.lintAlone.wallMs)),
      testCpuMs: summary(col((r) => r.testAlone.cpuMs)),
      lintCpuMs: summary(col((r) => r.lintAlone.cpuMs)),
      cores: CORES,
      overMax: pairedRatio(phase, maxAlone),
      overSum: pairedRatio(phase, sumAlone),
      overFloor: pairedRatio(phase, floor),
      bothAtOnceMs: summary(col((r) => r.bothAtOnceMs)),
      overBothAtOnce: pairedRatio(
        phase,
        col((r) => r.bothAtOnceMs)
      ),
      parallelSlowdown: summary(col((r) => r.parallelSlowdown)),
      slipwayShareMs: summary(col((r) => r.slipway.phaseMs - Math.max(r.slipway.breakdown.testMs, r.slipway.breakdown.lintMs)))
    },
    wholeStep: {
      wallMs: summary(col((r) => r.slipway.wallMs)),
      bareTestLintMs: summary(col((r) => r.bothAtOnceMs)),
      overBare: pairedRatio(
        col((r) => r.slipway.wallMs),
        col((r) => r.bothAtOnceMs)
      ),
      nodeMs: summary(col((r) => r.nodeMs)),
      envKey: rounds[0].slipway.envKey,
      archives: rounds[0].raw.archives,
      rawConcurrentMs: summary(col((r) => r.raw.concurrentMs)),
      rawSequentialMs: summary(col((r) => r.raw.sequentialMs)),
      // (bare test+lint + raw extraction + node start) / bare test+lint, per round.
      limit: pairedRatio(
        col((r) => r.bothAtOnceMs + r.raw.concurrentMs + r.nodeMs),
        col((r) => r.bothAtOnceMs)
      ),
      limitSingleStream: pairedRatio(
        col((r) => r.bothAtOnceMs + r.raw.sequentialMs + r.nodeMs),
        col((r) => r.bothAtOnceMs)
      )
    },
    rounds: rounds.map((r) => ({ ...r, slipway: strip(r.slipway) }))
  };
  out.slipwayKey = seedSlipway.cacheKey;
  out.venvPath = dirname(dirname(venvPython));
  project.slipwayInputs = inputs;
  return out;
}

/**
 * Raw extraction of exactly the archives a warm run restored (from the fake service's storage): the
 * environment's entry `<key>`, or its parts `<key>-part-<i>-of-<n>` (and `<key>-seed` if it was
 * fetched), one `zstd -dc | tar -x` pipeline per archive, all started together; and the same archives
 * one after the other (a single stream). The two alternate in order from round to round.
 */
async function rawRestore(project, run_, rep) {
  if (!run_.envKey) throw new Error(`${project.name}: the warm run logged no cache key`);
  const entries = restoredEntries(svc.entries(), run_.envKey, new Set(run_.downloadedEntryIds));
  if (entries.length === 0) throw new Error(`${project.name}: no cache entry under ${run_.envKey} (or its parts)`);
  const archives = archiveFiles(join(TMP, 'cache-service'), entries);
  const dest = join(TMP, 'raw-extract');
  const out = { archives: archives.map(({ key, bytes }) => ({ key, bytes })), bytes: archives.reduce((n, a) => n + a.bytes, 0) };
  for (const how of rep % 2 ? ['sequential', 'concurrent'] : ['concurrent', 'sequential']) {
    const r = await rawExtract(archives, dest, { concurrent: how === 'concurrent', workspace: project.ws });
    out[`${how}Ms`] = r.ms;
    out.files = r.files;
  }
  return out;
}

function strip(run_) {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- dropped from the saved results
  const { commands, runTempPrefix, ...rest } = run_;
  return rest;
}

// ------------------------------------------------------------------------------------------ scenario 2b: start-up

async function startupScenario() {
  log(`bundle start-up: ${STARTUP_REPS} rounds of node -e 0 / dist/index.js / dist/cli.js, each failing at once on a missing working-directory`);
  const dir = join(TMP, 'startup');
  emptyDir(dir);
  writeFileSync(join(dir, 'output'), '');
  const actionEnv = cleanEnv({
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: dir,
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: join(dir, 'output'),
    'INPUT_WORKING-DIRECTORY': 'does-not-exist'
  });
  const kinds = {
    node: () => run(process.execPath, ['-e', '0'], { cwd: dir }),
    index: () => run(process.execPath, [distIndex], { cwd: dir, env: actionEnv }),
    cli: () => run(process.execPath, [distCli, 'run', join(dir, 'does-not-exist')], { cwd: dir })
  };
  const samples = { node: [], index: [], indexFirstOutput: [], cli: [] };
  const names = Object.keys(kinds);
  for (let rep = 0; rep < STARTUP_REPS; rep++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + rep) % names.length];
      const r = await kinds[name]();
      if (name === 'index' && (r.code !== 1 || !r.stdout.includes('working-directory')))
        throw new Error(`dist/index.js did not fail on the input as expected:\n${r.stdout}${r.stderr}`);
      if (name === 'cli' && r.code !== 2) throw new Error(`dist/cli.js did not exit 2:\n${r.stdout}${r.stderr}`);
      if (name === 'node' && r.code !== 0) throw new Error('node -e 0 failed');
      samples[name].push(r.ms);
      if (name === 'index') samples.indexFirstOutput.push(r.firstOutputMs);
    }
  }
  const diff = (a) => a.map((v, i) => v - samples.node[i]);
  const out = {
    nodeMs: summary(samples.node),
    indexExitMs: summary(samples.index),
    indexFirstOutputMs: summary(samples.indexFirstOutput),
    cliExitMs: summary(samples.cli),
    indexStartupMs: summary(diff(samples.index)),
    indexFirstOutputStartupMs: summary(diff(samples.indexFirstOutput)),
    cliStartupMs: summary(diff(samples.cli)),
    bundleBytes: { index: statSync(distIndex).size, cli: statSync(distCli).size }
  };
  log(
    `start-up: node -e 0 ${out.nodeMs.median.toFixed(0)} ms, index.js ${out.indexExitMs.median.toFixed(0)} ms (+${out.indexStartupMs.median.toFixed(0)}), cli.js ${out.cliExitMs.median.toFixed(0)} ms (+${out.cliStartupMs.median.toFixed(0)})`
  );
  return out;
}

// ------------------------------------------------------------------------------------------ scenario 4: cache key

async function keyScenario() {
  const root = join(TMP, 'large-repo');
  const made = writeSyntheticRepo(root, { files: 10_000, services: 50 });
  log(`cache key: synthetic repository with ${made.files} files, ${made.dependencyFiles} dependency files`);
  const pattern = '**/requirements.txt';
  const samples = [];
  for (let rep = 0; rep < Math.max(REPS, 5); rep++) {
    const r = await run(process.execPath, [join(BENCH, 'lib', 'key-cost.mjs'), build.dir, root, pattern]);
    const value = benchResult(r, 'key-cost');
    if (value.files !== made.dependencyFiles) throw new Error(`the key covered ${value.files} files, expected ${made.dependencyFiles}`);
    samples.push(value);
  }
  const out = {
    repository: made,
    pattern,
    totalMs: summary(samples.map((s) => s.totalMs)),
    globMs: summary(samples.map((s) => s.globMs)),
    readMs: summary(samples.map((s) => s.readMs)),
    hashMs: summary(samples.map((s) => s.hashMs)),
    warmTotalMs: summary(samples.map((s) => s.again.totalMs))
  };
  log(
    `cache key: ${out.totalMs.median.toFixed(1)} ms (glob ${out.globMs.median.toFixed(1)}, read ${out.readMs.median.toFixed(1)}, hash ${out.hashMs.median.toFixed(1)})`
  );
  return out;
}

// ------------------------------------------------------------------------------------------ scenario 5: transfer

/** A Python project's environment without the dependency scenario: one Slipway cold run installs and saves it. */
async function coldSaved(project) {
  log(`${project.name}: a Slipway cold run makes the environment to move`);
  const cold = await slipwayJob(project, 'transfer-cold');
  if (cold.cacheHit !== 'false' || !cold.cacheKey) throw new Error(`${project.name}: the first run was not a cache miss`);
  return { venvPath: dirname(dirname(cold.commands.test[0][0])), slipwayKey: cold.cacheKey };
}

/** node-app's node_modules, installed once by `npm ci` (from the npm registry) in a fresh workspace. */
async function npmInstalled(project) {
  freshJob(project);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const installed = await mustRun(npm, ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project.ws, env: cleanEnv() });
  log(`${project.name}: npm ci ${secs(installed.ms)}`);
  return { treePath: join(project.ws, 'node_modules') };
}

async function transferScenario(project, dep) {
  const python = !dep.treePath;
  const tree = dep.treePath ?? dep.venvPath;
  // The environment to move, put back in place. A Python one comes back from the entries Slipway saved
  // (its parts and the seed entry, through restoreEnvironment; one entry: through @actions/cache);
  // node_modules is where npm ci put it.
  if (python) {
    freshJob(project);
    if (svc.entries().some((e) => e.key === dep.slipwayKey)) {
      const warmup = await cacheOp(project, 'restore', dep.slipwayKey, [tree]);
      if (warmup.result !== dep.slipwayKey) throw new Error('transfer: could not restore the environment to measure');
    } else {
      const warmup = await cacheOp(project, 'env-restore', dep.slipwayKey, [tree], { flags: ['--with-aside'] });
      if (warmup.result !== true) throw new Error(`transfer: could not restore the environment to measure: ${warmup.warnings.join(' ')}`);
    }
  }
  // What the install set aside (Python's seed packages), as its marker says; it moves as its own entry.
  const marker = join(tree, '.slipway-part-1-of-4');
  const aside = existsSync(marker) ? (JSON.parse(readFileSync(marker, 'utf8')).aside ?? []) : [];
  if (aside.some((path) => !existsSync(path))) throw new Error('transfer: the environment came back without its seed packages');
  const asideFlags = (flag) => (aside.length > 0 ? [flag] : []);
  const saveFlags = aside.flatMap((path) => ['--aside', path]);
  // One save in parts before the rounds: it writes the part markers into the tree (so every method
  // moves the same files), and its archives are what the raw-parts rounds extract.
  const partsKey = `bench-transfer-parts-${Date.now()}`;
  const partsSave = await cacheOp(project, 'env-save', partsKey, [tree], { flags: saveFlags });
  if (partsSave.result !== true) throw new Error(`transfer: saving the environment in parts failed: ${partsSave.warnings.join(' ')}`);
  const entriesOf = (key) => svc.entries().filter((e) => e.key.startsWith(`${key}-part-`) || e.key === `${key}-seed`);
  const partArchives = archiveFiles(join(TMP, 'cache-service'), entriesOf(partsKey));
  const size = treeSize(tree);
  log(
    `transfer: ${project.name} environment, ${(size.bytes / 1e6).toFixed(0)} MB in ${size.files} files; ` +
      `in parts: ${partArchives.map((a) => `${a.key.slice(partsKey.length + 1)} ${(a.bytes / 1e6).toFixed(1)} MB`).join(', ')}`
  );
  const rawArchive = join(TMP, 'raw.tar.zst');
  const store = join(TMP, 'local-store');
  const sync = () => run('sync', []);
  const traced = (value) => ({ wallMs: value.wallMs, httpMs: value.httpMs, tarMs: value.tarMs });
  const methods = {
    // Slipway as the install stage does it: saveEnvironment / restoreEnvironment, the parts (and the
    // seed entry) at once, each download streamed into its own tar.
    async slipway(rep) {
      const key = `bench-transfer-slipway-${rep}-${Date.now()}`;
      await sync();
      const saved = await cacheOp(project, 'env-save', key, [tree], { trace: true, flags: saveFlags });
      if (saved.result !== true) throw new Error(`transfer: Slipway's save failed: ${saved.warnings.join(' ')}`);
      const entries = entriesOf(key);
      rmSync(tree, { recursive: true, force: true });
      await sync();
      const restored = await cacheOp(project, 'env-restore', key, [tree], { trace: true, flags: asideFlags('--with-aside') });
      if (restored.result !== true || restored.warnings.length > 0) throw new Error(`transfer: Slipway's restore missed: ${restored.warnings.join(' ')}`);
      const save = traced(saved);
      const restore = traced(restored);
      return {
        saveMs: saved.ms,
        restoreMs: restored.ms,
        saveWallMs: save.wallMs,
        restoreWallMs: restore.wallMs,
        restoreHttpMs: restore.httpMs,
        restoreTarMs: restore.tarMs,
        saveHttpMs: save.httpMs,
        saveTarMs: save.tarMs,
        entries: entries.length,
        archiveBytes: entries.reduce((n, e) => n + e.size, 0)
      };
    },
    async actions(rep) {
      const key = `bench-transfer-actions-${rep}-${Date.now()}`;
      await sync();
      const saved = await cacheOp(project, 'save', key, [tree], { trace: true });
      const entry = svc.entries().find((e) => e.key === key);
      rmSync(tree, { recursive: true, force: true });
      await sync();
      const restored = await cacheOp(project, 'restore', key, [tree], { trace: true });
      if (restored.result !== key) throw new Error('transfer: @actions/cache restore missed');
      return {
        saveMs: saved.ms,
        restoreMs: restored.ms,
        saveWallMs: saved.wallMs,
        restoreWallMs: restored.wallMs,
        restoreHttpMs: restored.httpMs,
        restoreTarMs: restored.tarMs,
        saveHttpMs: saved.httpMs,
        saveTarMs: saved.tarMs,
        archiveBytes: entry?.size
      };
    },
    // One stream: the whole tree in one archive.
    async raw() {
      rmSync(rawArchive, { force: true });
      await sync();
      const created = await mustRun('tar', ['--zstd', '-cPf', rawArchive, tree], { cwd: '/' });
      const archiveBytes = statSync(rawArchive).size;
      rmSync(tree, { recursive: true, force: true });
      await sync();
      const extracted = await mustRun('tar', ['--zstd', '-xPf', rawArchive], { cwd: '/' });
      rmSync(rawArchive, { force: true });
      return { saveMs: created.ms, restoreMs: extracted.ms, archiveBytes };
    },
    // The same split as Slipway's (the archives of the save before the rounds, seed included), each
    // archive through `zstd -dc | tar -xPf -`, all at once: what this disk and these cores allow.
    async 'raw-parts'() {
      rmSync(tree, { recursive: true, force: true });
      await sync();
      const restoreMs = await rawExtractInPlace(partArchives, project.ws);
      return { restoreMs, archiveBytes: partArchives.reduce((n, a) => n + a.bytes, 0) };
    },
    async local(rep) {
      emptyDir(store);
      const key = `bench-transfer-${rep}`;
      const op = async (name) =>
        benchResult(await run(process.execPath, [join(BENCH, 'lib', 'local-store-op.mjs'), build.dir, store, name, key, tree]), `local store ${name}`);
      await sync();
      const saved = await op('save');
      const archiveBytes = readdirSync(store)
        .filter((f) => f.endsWith('.zst'))
        .reduce((n, f) => n + statSync(join(store, f)).size, 0);
      rmSync(tree, { recursive: true, force: true });
      await sync();
      const restored = await op('restore');
      if (restored.result !== key) throw new Error('transfer: local store restore missed');
      return { saveMs: saved.ms, restoreMs: restored.ms, archiveBytes };
    }
  };
  const names = Object.keys(methods);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let rep = 0; rep < REPS; rep++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + rep) % names.length];
      samples[name].push(await methods[name](rep));
      const back = treeSize(tree);
      if (back.files !== size.files) throw new Error(`transfer: ${name} did not bring back every file (${back.files} of ${size.files})`);
    }
    log(
      `transfer round ${rep + 1}/${REPS}: ` +
        names
          .map((n) => `${n} ${samples[n][rep].saveMs === undefined ? '' : `save ${secs(samples[n][rep].saveMs)} `}restore ${secs(samples[n][rep].restoreMs)}`)
          .join(' · ')
    );
  }
  const mbps = (ms) => size.bytes / 1e6 / (ms / 1000);
  const out = {
    tree: { project: project.name, bytes: size.bytes, files: size.files },
    parts: partArchives.map((a) => ({ entry: a.key.slice(partsKey.length + 1), bytes: a.bytes })),
    withAside: aside.length > 0
  };
  for (const name of names) {
    const s = samples[name];
    out[name] = {
      saveMs: summary(s.map((x) => x.saveMs)),
      restoreMs: summary(s.map((x) => x.restoreMs)),
      saveMBps: summary(s.map((x) => x.saveMs && mbps(x.saveMs))),
      restoreMBps: summary(s.map((x) => mbps(x.restoreMs))),
      archiveBytes: summary(s.map((x) => x.archiveBytes)),
      ...(name === 'actions' || name === 'slipway'
        ? {
            saveWallMs: summary(s.map((x) => x.saveWallMs)),
            restoreWallMs: summary(s.map((x) => x.restoreWallMs)),
            restoreHttpMs: summary(s.map((x) => x.restoreHttpMs)),
            restoreTarMs: summary(s.map((x) => x.restoreTarMs)),
            saveHttpMs: summary(s.map((x) => x.saveHttpMs)),
            saveTarMs: summary(s.map((x) => x.saveTarMs))
          }
        : {})
    };
  }
  const col = (name, field) => samples[name].map((x) => x[field]);
  // Throughput ratios: time of the reference over time of the method (above 1: the method is faster).
  out.slipwayRestoreVsRaw = pairedRatio(col('raw', 'restoreMs'), col('slipway', 'restoreMs'));
  out.slipwayRestoreVsRawParts = pairedRatio(col('raw-parts', 'restoreMs'), col('slipway', 'restoreMs'));
  out.rawPartsRestoreVsRaw = pairedRatio(col('raw', 'restoreMs'), col('raw-parts', 'restoreMs'));
  out.slipwayRestoreVsActions = pairedRatio(col('actions', 'restoreMs'), col('slipway', 'restoreMs'));
  out.actionsRestoreVsRaw = pairedRatio(col('raw', 'restoreMs'), col('actions', 'restoreMs'));
  out.slipwaySaveVsRaw = pairedRatio(col('raw', 'saveMs'), col('slipway', 'saveMs'));
  out.actionsSaveVsRaw = pairedRatio(col('raw', 'saveMs'), col('actions', 'saveMs'));
  out.localRestoreVsRaw = pairedRatio(col('raw', 'restoreMs'), col('local', 'restoreMs'));
  out.localSaveVsRaw = pairedRatio(col('raw', 'saveMs'), col('local', 'saveMs'));
  out.rounds = names.map((name) => ({ method: name, restoreMs: col(name, 'restoreMs'), saveMs: col(name, 'saveMs') }));
  return out;
}

// ------------------------------------------------------------------------------------------ report

function tableRows(res) {
  const rows = [];
  const ms = (s) => ({ median: s.median, min: s.min, max: s.max, n: s.n, unit: 'ms' });
  const x = (s) => ({ median: s.median, min: s.min, max: s.max, n: s.n, unit: '×' });
  const mbps = (s) => ({ median: s.median, min: s.min, max: s.max, n: s.n, unit: 'MB/s' });
  const add = (id, label, value, target) => rows.push({ id, label, ...value, ...(target ?? {}) });
  const atMost = (limit, value, text) => ({ target: text, met: value.median <= limit });
  const atLeast = (limit, value, text) => ({ target: text, met: value.median >= limit });

  for (const [name, d] of Object.entries(res.scenarios.dependency ?? {})) {
    if (d.coldMs.n === 0) continue;
    add(
      '1',
      `${name}: Slipway warm dependency step (spawn → install done; environment ${(d.project.venvBytes / 1e6).toFixed(0)} MB, ${d.project.venvFiles} files)`,
      ms(d.slipwayWarmStepMs)
    );
    add('1', `${name}: … of which restore: archive download / extraction (tar)`, {
      median: summary(d.rounds.map((r) => r.slipway.breakdown.httpMs)).median,
      min: summary(d.rounds.map((r) => r.slipway.breakdown.tarMs)).median,
      max: NaN,
      n: d.rounds.length,
      unit: 'pair'
    });
    add('1', `${name}: setup-python warm (restore pip cache + venv + pip install)`, ms(d.setupPythonWarmMs));
    add('1', `${name}: cold install (venv + pip install, empty pip cache)`, ms(d.coldMs));
    add('1', `${name}: Slipway warm / cold`, x(d.warmOverCold), atMost(0.1, d.warmOverCold, '≤ 0.10×'));
    add('1', `${name}: Slipway warm / setup-python warm`, x(d.warmOverSetupPython), atMost(0.3, d.warmOverSetupPython, '≤ 0.30×'));
  }
  for (const [name, d] of Object.entries(res.scenarios.dependency ?? {})) {
    add('2', `${name}: overhead per warm run (wall − cache transfer − test − lint)`, ms(d.overheadMs), atMost(300, d.overheadMs, '≤ 300 ms'));
    add('2', `${name}: of which before the first command (node + bundle load + config)`, ms(summary(d.rounds.map((r) => r.slipway.breakdown.toFirstChildMs))));
    add(
      '2',
      `${name}: of which Slipway's own Python probes (${d.rounds[0].slipway.breakdown.probeCount} per run)`,
      ms(summary(d.rounds.map((r) => r.slipway.breakdown.probesMs)))
    );
    add('2', `${name}: CPU time of the action's node process per warm run`, ms(summary(d.rounds.map((r) => r.slipway.breakdown.nodeCpuMs))));
  }
  const st = res.scenarios.startup;
  if (st) {
    add('2', 'node -e 0 (baseline)', ms(st.nodeMs));
    add('2', 'bundle start-up: dist/index.js to exit on a bad input, minus node -e 0', ms(st.indexStartupMs), atMost(150, st.indexStartupMs, '≤ 150 ms'));
    add('2', 'bundle start-up: dist/index.js to first output, minus node -e 0', ms(st.indexFirstOutputStartupMs));
    add('2', 'CLI start-up: dist/cli.js to exit on a bad input, minus node -e 0', ms(st.cliStartupMs));
  }
  for (const [name, d] of Object.entries(res.scenarios.dependency ?? {})) {
    for (const [variant, c] of [[`${name}${d.inputs?.['lint-command'] ? ' (lint: flake8)' : ' (lint: ruff)'}`, d.concurrency]]) {
      const w = d.wholeStep;
      if (w) {
        const parts = w.archives.length;
        add(
          '3',
          `${variant}: ★ warm whole step (spawn → exit: restore, test, lint) / bare test+lint started together in the ready environment`,
          x(w.overBare),
          atMost(1.3, w.overBare, '≤ 1.30×')
        );
        add(
          '3',
          `${variant}: … physical limit of that ratio: (bare test+lint + raw extraction${parts > 1 ? ', all archives at once,' : ''} + node -e 0) / bare test+lint`,
          x(w.limit)
        );
        add('3', `${variant}: … warm whole step / bare test+lint (wall)`, {
          median: w.wallMs.median,
          min: w.bareTestLintMs.median,
          max: NaN,
          n: w.wallMs.n,
          unit: 'pair'
        });
        add(
          '3',
          `${variant}: … raw extraction (zstd -dc piped into tar -x) of the ${parts} archive${parts > 1 ? 's' : ''} restored (${(w.archives.reduce((n, a) => n + a.bytes, 0) / 1e6).toFixed(0)} MB): all at once / one after the other`,
          { median: w.rawConcurrentMs.median, min: w.rawSequentialMs.median, max: NaN, n: w.rawConcurrentMs.n, unit: 'pair' }
        );
      }
      add('3', `${variant}: test+lint wall in Slipway`, ms(c.phaseMs));
      add('3', `${variant}: test alone / lint alone (wall)`, {
        median: c.testAloneMs.median,
        min: c.lintAloneMs.median,
        max: NaN,
        n: c.testAloneMs.n,
        unit: 'pair'
      });
      add('3', `${variant}: test alone / lint alone (CPU)`, { median: c.testCpuMs.median, min: c.lintCpuMs.median, max: NaN, n: c.testCpuMs.n, unit: 'pair' });
      add('3', `${variant}: test+lint / max(alone)`, x(c.overMax), atMost(1.1, c.overMax, '≤ 1.10×'));
      add('3', `${variant}: test+lint / sum(alone)`, x(c.overSum));
      add('3', `${variant}: test+lint in Slipway / both started at once without Slipway`, x(c.overBothAtOnce));
      add('3', `${variant}: Slipway's own time in the test+lint phase (phase − its longest command)`, ms(c.slipwayShareMs));
      add('3', `${variant}: CPU parallelism at the time: 2 busy loops at once ÷ 1 alone (1.00 = 2 free cores)`, x(c.parallelSlowdown));
    }
  }
  const k = res.scenarios.key;
  if (k) {
    add(
      '4',
      `cache key, ${k.repository.files} files / ${k.repository.dependencyFiles} dependency files (first call, fresh process)`,
      ms(k.totalMs),
      atMost(200, k.totalMs, '≤ 200 ms')
    );
    add('4', '  of which glob (buildConfig) / read / hash', {
      median: k.globMs.median,
      min: k.readMs.median,
      max: k.hashMs.median,
      n: k.globMs.n,
      unit: 'triple'
    });
  }
  const sh = res.scenarios.shard;
  if (sh) {
    const label = `${sh.suite.tests} tests in ${sh.suite.files} files, ${sh.suite.sleepSeconds} s`;
    add(
      '6',
      `shard 4 ways (${label}): slowest shard / mean, split by recorded durations`,
      x(sh.byDurations.ratio),
      atMost(1.15, sh.byDurations.ratio, '≤ 1.15×')
    );
    add('6', `shard 4 ways (${label}): slowest shard / mean, split by file size (first run)`, x(sh.bySize.ratio));
    add(
      '6',
      "merged counts and coverage = an unsharded run's",
      { median: sh.mergedEqualsUnsharded ? 1 : 0, min: NaN, max: NaN, n: 1, unit: '' },
      sh.mergedEqualsUnsharded ? { target: 'equal', met: true } : { target: 'equal', met: false }
    );
  }
  const t = res.scenarios.transfer;
  if (t) {
    const mb = (t.tree.bytes / 1e6).toFixed(0);
    const split = `${t.parts.length - (t.withAside ? 1 : 0)} parts${t.withAside ? ' + seed' : ''}`;
    add(
      '5',
      `restore, Slipway (restoreEnvironment: ${split} at once, each streamed into tar) + local service (${t.tree.project} environment: ${mb} MB, ${t.tree.files} files)`,
      mbps(t.slipway.restoreMBps)
    );
    add('5', 'restore, @actions/cache (one entry: download, then extract) + local service', mbps(t.actions.restoreMBps));
    add('5', 'restore, raw tar --zstd -x (one stream)', mbps(t.raw.restoreMBps));
    add('5', `restore, raw zstd -dc | tar -x of Slipway's ${t.parts.length} archives, all at once`, mbps(t['raw-parts'].restoreMBps));
    add('5', 'restore, CLI local store', mbps(t.local.restoreMBps));
    add('5', 'Slipway restore / raw extract, one stream (throughput)', x(t.slipwayRestoreVsRaw), atLeast(0.95, t.slipwayRestoreVsRaw, '≥ 0.95×'));
    add('5', 'Slipway restore / raw extract of the same parts at once (throughput)', x(t.slipwayRestoreVsRawParts));
    add('5', 'raw parts at once / raw one stream (throughput)', x(t.rawPartsRestoreVsRaw));
    add('5', '… Slipway restore: time / of which download (HTTP) / of which tar (they overlap)', {
      median: t.slipway.restoreMs.median,
      min: t.slipway.restoreHttpMs.median,
      max: t.slipway.restoreTarMs.median,
      n: t.slipway.restoreMs.n,
      unit: 'ms3'
    });
    add('5', 'Slipway restore / @actions/cache restore (throughput)', x(t.slipwayRestoreVsActions));
    add('5', '@actions/cache restore / raw extract (throughput)', x(t.actionsRestoreVsRaw));
    add('5', '… @actions/cache restore: time / of which download (HTTP) / of which tar', {
      median: t.actions.restoreMs.median,
      min: t.actions.restoreHttpMs.median,
      max: t.actions.restoreTarMs.median,
      n: t.actions.restoreMs.n,
      unit: 'ms3'
    });
    add('5', '… raw extract time: one stream', ms(t.raw.restoreMs));
    add('5', '… raw extract time: parts at once', ms(t['raw-parts'].restoreMs));
    add('5', 'CLI local store restore / raw extract (throughput)', x(t.localRestoreVsRaw));
    add('5', `save, Slipway (saveEnvironment: ${split} at once) + local service`, mbps(t.slipway.saveMBps));
    add('5', 'save, @actions/cache + local service', mbps(t.actions.saveMBps));
    add('5', 'save, raw tar --zstd -c', mbps(t.raw.saveMBps));
    add('5', 'save, CLI local store', mbps(t.local.saveMBps));
    add('5', 'Slipway save / raw create (throughput)', x(t.slipwaySaveVsRaw));
    add('5', '@actions/cache save / raw create (throughput)', x(t.actionsSaveVsRaw));
  }
  return rows;
}

function fmt(value, unit) {
  if (!Number.isFinite(value)) return '';
  if (unit === 'ms') return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
  if (unit === '×') return `${value.toFixed(3)}×`;
  if (unit === 'MB/s') return `${value.toFixed(0)} MB/s`;
  return String(value);
}

function renderTable(rows) {
  const lines = ['| # | Measure | Median | Spread (min–max) | n | Target | Met |', '|---|---|---:|---:|---:|---|---|'];
  for (const r of rows) {
    let median;
    let spread;
    if (r.unit === 'pair') {
      median = `${fmt(r.median, 'ms')} / ${fmt(r.min, 'ms')}`;
      spread = '';
    } else if (r.unit === 'ms3') {
      median = `${fmt(r.median, 'ms')} / ${fmt(r.min, 'ms')} / ${fmt(r.max, 'ms')}`;
      spread = '';
    } else if (r.unit === 'triple') {
      median = `${r.median.toFixed(1)} / ${r.min.toFixed(1)} / ${r.max.toFixed(1)} ms`;
      spread = '';
    } else {
      median = fmt(r.median, r.unit);
      spread = r.n > 1 ? `${fmt(r.min, r.unit)} – ${fmt(r.max, r.unit)}` : '';
    }
    const met = r.target ? (r.met ? '✅ yes' : '❌ no') : '';
    lines.push(`| ${r.id} | ${r.label} | ${median} | ${spread} | ${r.n} | ${r.target ?? ''} | ${met} |`);
  }
  return lines.join('\n');
}

function updateBenchmarksMd(res, table) {
  const file = join(REPO, 'BENCHMARKS.md');
  const begin = '<!-- BEGIN GENERATED by `npm run bench`: do not edit by hand -->';
  const end = '<!-- END GENERATED -->';
  const m = res.machine;
  const block = [
    begin,
    '',
    `Last run: ${res.startedAt} · \`npm run bench\` took **${res.runtimeSeconds} s** · ${res.options.reps} rounds per scenario, ${res.options.heavyReps} on the heavy project, ${res.options.startupReps} for start-up`,
    '',
    `Measured: dist/ of commit ${res.build.commit} (dist/index.js ${(res.build.distIndexBytes / 1e6).toFixed(2)} MB).`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}; Node ${m.node}; Python ${m.python}` +
      `${res.options.pythonFirstOnPath ? ` (its own folder first on PATH, as actions/setup-python sets it)` : ' (PATH as given)'}; ${m.tar}; ${m.zstd}. ` +
      `Load average ${m.loadStart.join(' ')} at the start, ${m.loadEnd.join(' ')} at the end (other jobs shared the machine: absolute seconds are noise, the paired ratios are the result).`,
    '',
    table,
    '',
    end
  ].join('\n');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmarks\n\n${begin}\n${end}\n`;
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? current.slice(0, from) + block + current.slice(to + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}

// ------------------------------------------------------------------------------------------ helpers

function machineInfo() {
  const version = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
        .split('\n')[0]
        .trim();
    } catch {
      return `${cmd}: unavailable`;
    }
  };
  return {
    cpu: os.cpus()[0]?.model?.replace(/\s+/g, ' ').trim() ?? 'unknown CPU',
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    python: version(PYTHON, ['--version']).replace(/^Python /, ''),
    tar: version('tar', ['--version']),
    zstd: version('zstd', ['--version']),
    loadStart: os.loadavg().map((l) => Number(l.toFixed(2)))
  };
}

function gitHead() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'dist'], {
      cwd: REPO,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore']
    }).trim();
    return dirty ? `${head} + uncommitted changes in src/ or dist/` : head;
  } catch {
    return 'unknown';
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
  }
  return newest;
}
