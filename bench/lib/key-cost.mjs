// The cache key's cost on a large repository, measured on the functions Slipway runs, in a fresh process
// (as in a real run: the code is not yet optimised by the JIT, the files are in the page cache):
//   node key-cost.mjs <build dir> <repository> <cache-dependency-path value>
// 1. buildConfig() expands `cache-dependency-path` (src/config.ts → src/glob.ts globFiles: the tree walk);
// 2. the install stage reads each file (install.ts keyPartsFor);
// 3. environmentKey() hashes them (src/cache-key.ts).
// Prints `BENCH_RESULT {json}`; `again` is a second, warmed-up pass in the same process.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const [build, root, patterns] = process.argv.slice(2);
const load = (file) => import(pathToFileURL(join(build, 'src', file)).href);
const { buildConfig } = await load('config.js');
const { environmentKey } = await load('cache-key.js');

async function once() {
  const t0 = performance.now();
  const config = await buildConfig((name) => (name === 'cache-dependency-path' ? patterns : ''), root);
  const t1 = performance.now();
  const files = config.cacheDependencyFiles.map((file) => ({ path: relative(root, file), content: readFileSync(file) }));
  const t2 = performance.now();
  const key = environmentKey({
    cacheVersion: config.cacheVersion,
    os: process.platform,
    arch: process.arch,
    image: 'ubuntu24',
    runtime: 'python-cpython-3.11.7',
    interpreterPath: '/usr/bin/python3.11',
    files,
    commands: [['/venv/bin/python', '-m', 'pip', 'install', ...files.flatMap((f) => ['-r', f.path])]]
  });
  const t3 = performance.now();
  return { globMs: t1 - t0, readMs: t2 - t1, hashMs: t3 - t2, totalMs: t3 - t0, files: files.length, key };
}

const first = await once();
const again = await once();
process.stdout.write(`BENCH_RESULT ${JSON.stringify({ ...first, again })}\n`);
