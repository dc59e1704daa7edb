// One cache operation, in its own process like an action step:
//   node cache-op.mjs save|restore|slipway-restore <key> <path>... [--restore-key <prefix>]
//   node cache-op.mjs env-save <key> <path>... [--aside <path>]...
//   node cache-op.mjs env-restore <key> <path>... [--with-aside]
// save and restore call the real @actions/cache; slipway-restore calls Slipway's own GitHub cache
// store (src/adapters/github/cache.ts as built into the folder named by SLIPWAY_BENCH_BUILD), which
// streams the archive into tar. env-save and env-restore are what the install stage does with an
// environment: saveEnvironment / restoreEnvironment (src/stages/environment-cache.ts) over a cache
// flow on that store, so on the v2 service the tree moves as its parts (and, with --aside /
// --with-aside, the entry of what is set aside), all at once. The environment carries the cache
// service (ACTIONS_RESULTS_URL, …), GITHUB_WORKSPACE and RUNNER_TEMP.
// Prints `BENCH_RESULT {json}` last: the time of the call alone (`ms`) and of the import before it.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [op, key, ...rest] = process.argv.slice(2);
const restoreKeys = [];
const aside = [];
const paths = [];
let withAside = false;
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === '--restore-key') restoreKeys.push(rest[++i]);
  else if (rest[i] === '--aside') aside.push(rest[++i]);
  else if (rest[i] === '--with-aside') withAside = true;
  else paths.push(rest[i]);
}
const built = (...parts) => import(pathToFileURL(join(process.env.SLIPWAY_BENCH_BUILD ?? '', 'src', ...parts)).href);

const importStarted = performance.now();
const environment = op === 'env-save' || op === 'env-restore';
const slipway = op === 'slipway-restore' || environment;
const cache = slipway ? (await built('adapters', 'github', 'cache.js')).githubCacheStore(process.env) : await import('@actions/cache');
let flow;
let files;
let log;
let envCache;
const warnings = [];
// The parts of a reporter the cache flow and the environment's restore use; nothing is printed.
const reporter = {
  info: () => undefined,
  debug: () => undefined,
  notice: () => undefined,
  warning: (message) => void warnings.push(message),
  error: (message) => void warnings.push(message),
  section: () => ({ line: () => undefined, end: () => undefined }),
  secret: () => undefined,
  setOutput: () => undefined,
  summary: async () => undefined,
  progress: () => () => undefined
};
if (environment) {
  const [{ cacheFlow }, { StageLog }, { processRunner }, { diskFiles }] = await Promise.all([
    built('stages', 'cache-flow.js'),
    built('stage-log.js'),
    built('adapters', 'process.js'),
    built('adapters', 'files.js')
  ]);
  envCache = await built('stages', 'environment-cache.js');
  log = new StageLog(processRunner(process.env, () => []));
  flow = cacheFlow(cache, { event: {} }, reporter, log);
  if (!flow.partial) throw new Error('the cache store cannot keep an environment in parts here (v2 service on Linux only)');
  files = diskFiles([process.env.GITHUB_WORKSPACE, process.env.RUNNER_TEMP, ...paths].filter(Boolean));
}
const importMs = performance.now() - importStarted;

const started = performance.now();
let result;
if (op === 'save') result = await cache.saveCache(paths, key);
else if (op === 'restore') result = await cache.restoreCache(paths, key, restoreKeys);
else if (op === 'slipway-restore') result = await cache.restore(paths, key, restoreKeys);
else if (op === 'env-save') result = await envCache.saveEnvironment(flow, files, paths, key, aside);
else if (op === 'env-restore') result = await envCache.restoreEnvironment(flow, files, reporter, { paths, key, withAside });
else throw new Error(`unknown operation ${op}`);
const ms = performance.now() - started;
process.stdout.write(`\nBENCH_RESULT ${JSON.stringify({ op, key, result: result ?? null, ms, importMs, warnings, log: log?.lines ?? [] })}\n`);
