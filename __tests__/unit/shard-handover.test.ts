// A shard's hand-over and the merge job's collection, over fake ports: an in-memory artifact store
// shared by the jobs of a run, in-memory files. What each job uploads, what the merge reads back, and
// how it fails: no artifacts, a missing or unreadable shard, a service that cannot be reached.

import { describe, expect, test } from '@jest/globals';
import { buildConfig, type Config } from '../../src/config.js';
import type { Ports, RunContext } from '../../src/context.js';
import type { Report } from '../../src/model.js';
import type { Artifacts } from '../../src/ports.js';
import { collectShards } from '../../src/stages/merge-collect.js';
import { handOver } from '../../src/stages/shard.js';
import { StageLog } from '../../src/stage-log.js';
import { fakeFiles, fakeHost, fakeReporter, fakeRunner, noHttp } from '../fixtures/fake-ports.js';
import { STAGE_PROJECT, stageContext } from '../fixtures/stage-context.js';

/** One run's artifacts: what a job uploads, any later job of the run downloads (files copied by path). */
function memoryArtifacts(): Artifacts & { stored: Map<string, Map<string, string>>; failing?: string } {
  const stored = new Map<string, Map<string, string>>();
  const store = {
    stored,
    failing: undefined as string | undefined,
    async upload(name: string, files: string[], root: string) {
      if (store.failing) throw new Error(store.failing);
      stored.set(name, new Map(files.map((file) => [file.slice(root.length + 1), current!.files.read(file) ?? ''])));
    },
    async list() {
      if (store.failing) throw new Error(store.failing);
      return [...stored.keys()];
    },
    async download(name: string, dir: string) {
      for (const [path, text] of stored.get(name) ?? []) current!.files.write(`${dir}/${path}`, text);
    }
  };
  return store;
}

let current: Ports | undefined;
const artifacts = memoryArtifacts();

function job(tempDir: string): { ports: Ports; context: RunContext; log: StageLog } {
  const ports: Ports = { runner: fakeRunner(), reporter: fakeReporter().reporter, http: noHttp, files: fakeFiles(), host: fakeHost(), artifacts };
  current = ports;
  return { ports, context: { ...stageContext, tempDir }, log: new StageLog(ports.runner) };
}

const config = async (overrides: Partial<Config> = {}): Promise<Config> => ({ ...(await buildConfig(() => '', STAGE_PROJECT)), ...overrides });

function shardReport(passed: number, failing = 0): Report {
  const cases = Array.from({ length: passed + failing }, (_, i) => ({
    name: `t${i}`,
    classname: 'c',
    file: `tests/test_${i}.py`,
    durationMs: 100 * (i + 1),
    outcome: i < passed ? ('passed' as const) : ('failed' as const)
  }));
  return {
    result: failing ? 'failure' : 'success',
    durationMs: 1,
    cacheHit: false,
    stages: [
      { name: 'test', status: failing ? 'failure' : 'success', durationMs: 1, headline: `${passed} passed` },
      { name: 'lint', status: 'warning', durationMs: 1, headline: '1 finding' }
    ],
    tests: { passed, failed: failing, skipped: 0, total: passed + failing, durationMs: 1, cases },
    coverage: {
      percent: 50,
      linesValid: 2,
      linesCovered: 1,
      files: [{ path: 'a.py', linesValid: 2, linesCovered: 1, percent: 50, lines: { covered: [1], missed: [2] } }]
    }
  };
}

describe('hand-over and merge', () => {
  test('two shards upload; the merge reads both back and adds them up', async () => {
    const settings = await config();
    for (const [index, report] of [
      [1, shardReport(2)],
      [2, shardReport(3, 1)]
    ] as const) {
      const { ports, context, log } = job(`/tmp/shard-${index}`);
      ports.files.write(`/tmp/shard-${index}/junit.xml`, '<testsuite/>');
      expect(await handOver({ index, total: 2 }, [`tests/test_${index}.py`], settings, context, ports, report, log)).toBeUndefined();
      expect(log.lines.at(-1)).toMatch(new RegExp(`^Uploaded slipway-shard-${index}-of-2: 1 test file\\(s\\), ${report.tests!.total} test\\(s\\), coverage`));
    }
    expect([...artifacts.stored.get('slipway-shard-1-of-2')!.keys()].sort()).toEqual(['reports/junit.xml', 'shard.json']);

    const { ports, context, log } = job('/tmp/merge');
    const collected = await collectShards(settings, context, ports, log);
    expect(collected.stage).toMatchObject({ status: 'failure', headline: '2 shards · 1 of 6 tests failed: t3 · coverage 50.0%' });
    expect(collected.merged).toMatchObject({ missing: [], results: { passed: 5, failed: 1, total: 6 }, coverage: { linesCovered: 1, linesValid: 2 } });
    // Only the first shard's lint counts (it alone lints).
    expect(collected.merged!.checks).toEqual([{ name: 'lint', status: 'warning', headline: '1 finding' }]);
    expect(collected.merged!.durations.get('tests/test_0.py')).toBe(200);
    expect(log.lines).toContain('Merged 2 of 2 shards: 6 tests, coverage 50.0%');
  });

  test('an unreadable record counts as missing, with the reason', async () => {
    artifacts.stored.set('slipway-shard-2-of-2', new Map([['shard.json', '{"version": 7}']]));
    const { ports, context, log } = job('/tmp/merge-2');
    const collected = await collectShards(await config(), context, ports, log);
    expect(collected.stage.headline).toBe('merge-shards: shard 2 of 2 is missing (no slipway-shard-2-of-2)');
    expect(collected.stage.details![0]).toMatch(/^slipway-shard-2-of-2: its shard.json is of version 7/);
  });

  test('no shard artifact, no artifact service, a service that fails: clear failures', async () => {
    const settings = await config();
    const empty = job('/tmp/merge-3');
    artifacts.stored.clear();
    expect((await collectShards(settings, empty.context, empty.ports, empty.log)).stage.headline).toMatch(/no shard sent results/);
    const none = job('/tmp/merge-4');
    expect((await collectShards(settings, none.context, { ...none.ports, artifacts: undefined }, none.log)).stage.headline).toMatch(/no artifact service here/);
    artifacts.failing = 'connect ECONNREFUSED';
    const broken = job('/tmp/merge-5');
    expect((await collectShards(settings, broken.context, broken.ports, broken.log)).stage.headline).toBe(
      "merge-shards: the run's artifacts could not be listed: connect ECONNREFUSED"
    );
    const shard = job('/tmp/shard-x');
    const failed = await handOver({ index: 1, total: 2 }, [], settings, shard.context, shard.ports, shardReport(1), shard.log);
    expect(failed).toMatchObject({ name: 'test', status: 'failure', headline: 'shard 1/2: its results could not be uploaded: connect ECONNREFUSED' });
    artifacts.failing = undefined;
  });
});
