// One operation on the CLI's local cache store (src/adapters/local/cache.ts, as built into bench/.build):
//   node local-store-op.mjs <build dir> <store dir> save|restore <key> <path>
// Prints `BENCH_RESULT {json}` with the time of the store call alone.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const [build, store, op, key, path] = process.argv.slice(2);
const { localCacheStore } = await import(pathToFileURL(join(build, 'src', 'adapters', 'local', 'cache.js')).href);
// The CLI's ProcessRunner: the process environment, no secrets to withhold.
const { processRunner } = await import(pathToFileURL(join(build, 'src', 'adapters', 'process.js')).href);
const runner = processRunner(process.env, () => []);
const cache = localCacheStore(store, runner, 'zstd');
const started = performance.now();
const result = op === 'save' ? await cache.save([path], key) : await cache.restore([path], key, []);
const ms = performance.now() - started;
process.stdout.write(`BENCH_RESULT ${JSON.stringify({ op, key, result: result ?? null, ms })}\n`);
