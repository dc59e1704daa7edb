// Scenario 6 (`--only shard`): test sharding on a generated pytest suite of 240 tests in 60 files
// with skewed durations (5 slow files, 55 fast ones; file sizes unrelated to durations, as in real
// suites). Four shard jobs and a merge job of the bundled action, against the artifact and cache
// fakes, on one runner (the same workspace and RUNNER_TEMP from job to job, as on GitHub):
//   A  no durations recorded yet: the split goes by file size
//   -  an unsharded run on the default branch records the durations (and gives the reference counts)
//   B  the split goes by the recorded durations
// Each shard's test time is pytest's own session time ("N passed in X s"); the figure is the slowest
// shard over the mean (sum / 4). The merged counts and coverage must equal the unsharded run's.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summary } from './stats.mjs';

const FILES = 60;
const TESTS_PER_FILE = 4;
const SLOW = [0, 13, 27, 41, 55]; // file indexes whose first test sleeps long

/** mulberry32: the same suite on every run. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function writeSuite(root) {
  const next = random(6);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'suite'), { recursive: true });
  mkdirSync(join(root, 'tests'), { recursive: true });
  writeFileSync(join(root, 'requirements-dev.txt'), 'pytest\npytest-cov\n');
  writeFileSync(join(root, '.coveragerc'), '[run]\nsource = suite\n');
  writeFileSync(join(root, 'suite', '__init__.py'), '');
  let sleepTotal = 0;
  for (let i = 0; i < FILES; i++) {
    const mod = `m${String(i).padStart(2, '0')}`;
    writeFileSync(join(root, 'suite', `${mod}.py`), `def f(x):\n    if x > 0:\n        return x * 2\n    return -x\n\n\ndef g(x):\n    return x - 1\n`);
    const slow = SLOW.includes(i);
    const sleeps = Array.from({ length: TESTS_PER_FILE }, (_, t) => (slow && t === 0 ? 0.7 + next() * 0.5 : 0.002 + next() * 0.01));
    sleepTotal += sleeps.reduce((a, b) => a + b, 0);
    const tests = sleeps.map((s, t) => `def test_${t}():\n    time.sleep(${s.toFixed(3)})\n    assert f(${t + 1}) == ${2 * (t + 1)}\n`).join('\n\n');
    // Sizes unrelated to durations: some fast files carry long docstrings, some slow ones are short.
    const padding = `"""\n${'x'.repeat(Math.floor(next() * 4000))}\n"""\n`;
    writeFileSync(join(root, 'tests', `test_${mod}.py`), `${padding}import time\n\nfrom suite.${mod} import f\n\n\n${tests}`);
  }
  return { files: FILES, tests: FILES * TESTS_PER_FILE, sleepSeconds: Number(sleepTotal.toFixed(2)) };
}

/** pytest's own session time, in seconds, from the shard's log. */
function pytestSeconds(log) {
  const m = /=+ (?:\d+ \w+,? ?)+ in ([\d.]+)s/.exec(log);
  return m ? Number(m[1]) : NaN;
}

export async function shardScenario({ runAction, startArtifactService, svc, tmp, pipEnv, actionDir, reps, log }) {
  const artifacts = await startArtifactService(svc);
  const template = join(tmp, 'shard-suite');
  const suite = writeSuite(template);
  log(`shard: generated ${suite.tests} tests in ${suite.files} files, ${suite.sleepSeconds} s of sleeps (${SLOW.length} slow files)`);
  const runnerTemp = join(tmp, 'shard-runner');
  const workspace = join(runnerTemp, 'repo');
  const job = async (runId, jobId, inputs, ref = 'refs/heads/feature') => {
    rmSync(workspace, { recursive: true, force: true });
    cpSync(template, workspace, { recursive: true });
    const result = await runAction({
      workspace,
      actionDir,
      ref,
      timeoutMs: 300_000,
      inputs: { lint: false, ...inputs },
      cacheService: { env: () => artifacts.envFor(runId, jobId) },
      env: { ...pipEnv, GITHUB_RUN_ID: runId, GITHUB_JOB: jobId, RUNNER_TEMP: runnerTemp }
    });
    if (!result.ok && !inputs['merge-shards']) throw new Error(`shard scenario: job ${jobId} of ${runId} failed:\n${result.stdout.slice(-4000)}`);
    return result;
  };
  const counts = (r) => ['tests-passed', 'tests-failed', 'tests-skipped', 'coverage'].map((k) => r.outputs[k]).join(' / ');
  const round = async (runId, expectBasis) => {
    const shards = [];
    for (let i = 1; i <= 4; i++) shards.push(await job(runId, `test-${i}`, { shard: `${i}/4` }));
    const basis = shards.map((r) => /split by (recorded durations|file size|round robin)/.exec(r.log)?.[1]);
    if (basis.some((b) => b !== expectBasis)) throw new Error(`shard scenario: expected a split by ${expectBasis}, got ${basis.join(', ')}`);
    const seconds = shards.map((r) => pytestSeconds(r.log));
    const sum = seconds.reduce((a, b) => a + b, 0);
    const merged = await job(runId, 'merge', { 'merge-shards': true });
    return { seconds, ratio: Math.max(...seconds) / (sum / 4), merged: counts(merged), mergeOk: merged.ok };
  };
  try {
    const bySize = [];
    for (let rep = 0; rep < reps; rep++) bySize.push(await round(`size-${rep}`, 'file size'));
    const unsharded = await job('reference', 'build', {}, 'refs/heads/main');
    const reference = counts(unsharded);
    const byDurations = [];
    for (let rep = 0; rep < reps; rep++) byDurations.push(await round(`durations-${rep}`, 'recorded durations'));
    const all = [...bySize, ...byDurations];
    const out = {
      suite,
      unsharded: { counts: reference, pytestSeconds: pytestSeconds(unsharded.log) },
      bySize: { ratio: summary(bySize.map((r) => r.ratio)), rounds: bySize },
      byDurations: { ratio: summary(byDurations.map((r) => r.ratio)), rounds: byDurations },
      mergedEqualsUnsharded: all.every((r) => r.mergeOk && r.merged === reference)
    };
    log(
      `shard: slowest of 4 / mean: by file size ${out.bySize.ratio.median.toFixed(3)}×, by recorded durations ${out.byDurations.ratio.median.toFixed(3)}×; merged = unsharded (${reference}): ${out.mergedEqualsUnsharded}`
    );
    return out;
  } finally {
    await artifacts.stop();
  }
}
