// One cache operation, in its own process like an action step:
//   node cache-op.mjs save|restore|slipway-restore <key> <path>... [--restore-key <prefix>]
// save and restore call the real @actions/cache; slipway-restore calls Slipway's own GitHub cache
// store (src/adapters/github/cache.ts as built into the folder named by SLIPWAY_BENCH_BUILD), which
// streams the archive into tar. The environment carries the cache service (ACTIONS_RESULTS_URL, …),
// GITHUB_WORKSPACE and RUNNER_TEMP.
// Prints `BENCH_RESULT {json}` last: the time of the call alone (`ms`) and of the import before it.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [op, key, ...rest] = process.argv.slice(2);
const restoreKeys = [];
const paths = [];
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === '--restore-key') restoreKeys.push(rest[++i]);
  else paths.push(rest[i]);
}
const importStarted = performance.now();
const slipway = op === 'slipway-restore';
const cache = slipway
  ? (await import(pathToFileURL(join(process.env.SLIPWAY_BENCH_BUILD ?? '', 'src', 'adapters', 'github', 'cache.js')).href)).githubCacheStore(process.env)
  : await import('@actions/cache');
const importMs = performance.now() - importStarted;
const started = performance.now();
let result;
if (op === 'save') result = await cache.saveCache(paths, key);
else if (op === 'restore') result = await cache.restoreCache(paths, key, restoreKeys);
else if (slipway) result = await cache.restore(paths, key, restoreKeys);
else throw new Error(`unknown operation ${op}`);
const ms = performance.now() - started;
process.stdout.write(`\nBENCH_RESULT ${JSON.stringify({ op, key, result: result ?? null, ms, importMs })}\n`);
