// One cache operation with the real @actions/cache, in its own process like an action step:
//   node cache-op.mjs save|restore <key> <path>... [--restore-key <prefix>]
// The environment carries the cache service (ACTIONS_RESULTS_URL, …), GITHUB_WORKSPACE and RUNNER_TEMP.
// Prints `BENCH_RESULT {json}` last: the time of the library call alone (`ms`) and of its import.
import { performance } from 'node:perf_hooks';

const [op, key, ...rest] = process.argv.slice(2);
const restoreKeys = [];
const paths = [];
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === '--restore-key') restoreKeys.push(rest[++i]);
  else paths.push(rest[i]);
}
const importStarted = performance.now();
const cache = await import('@actions/cache');
const importMs = performance.now() - importStarted;
const started = performance.now();
let result;
if (op === 'save') result = await cache.saveCache(paths, key);
else if (op === 'restore') result = await cache.restoreCache(paths, key, restoreKeys);
else throw new Error(`unknown operation ${op}`);
const ms = performance.now() - started;
process.stdout.write(`\nBENCH_RESULT ${JSON.stringify({ op, key, result: result ?? null, ms, importMs })}\n`);
