// The artifact fake against the real @actions/artifact, through Slipway's adapter: upload from two
// jobs of one run, list, download into a folder, replace on a re-run; a token of another run sees
// nothing, and a token without the Actions.Results scope is refused.

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { githubArtifacts } from '../../src/adapters/github/artifacts.js';
import { startArtifactService, jwt, type ArtifactService } from './support/artifact-service.js';
import { startCacheService, type CacheService } from './support/cache-service.js';

let cache: CacheService;
let service: ArtifactService;
const dir = mkdtempSync(join(tmpdir(), 'slipway-artifacts-'));
const saved = { ...process.env };

beforeAll(async () => {
  cache = await startCacheService();
  service = await startArtifactService(cache);
});
afterAll(async () => {
  process.env = saved;
  await service.stop();
  await cache.stop();
  rmSync(dir, { recursive: true, force: true });
});

function asJob(runId: string, jobId: string): void {
  Object.assign(process.env, service.envFor(runId, jobId), { GITHUB_SERVER_URL: 'https://github.com', NO_PROXY: '127.0.0.1,localhost' });
}

describe('artifact service fake with @actions/artifact', () => {
  test('upload from two jobs, list and download in a third; a re-run replaces', async () => {
    const root = join(dir, 'up');
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'shard.json'), '{"a":1}');
    writeFileSync(join(root, 'sub', 'junit.xml'), '<testsuite/>');
    const artifacts = githubArtifacts();
    asJob('run-1', 'job-a');
    await artifacts.upload('slipway-shard-1-of-2', [join(root, 'shard.json'), join(root, 'sub', 'junit.xml')], root);
    asJob('run-1', 'job-b');
    await artifacts.upload('slipway-shard-2-of-2', [join(root, 'shard.json')], root);
    writeFileSync(join(root, 'shard.json'), '{"a":2}');
    await artifacts.upload('slipway-shard-2-of-2', [join(root, 'shard.json')], root);

    asJob('run-1', 'job-merge');
    expect((await artifacts.list()).sort()).toEqual(['slipway-shard-1-of-2', 'slipway-shard-2-of-2']);
    await artifacts.download('slipway-shard-1-of-2', join(dir, 'down', '1'));
    await artifacts.download('slipway-shard-2-of-2', join(dir, 'down', '2'));
    expect(readFileSync(join(dir, 'down', '1', 'sub', 'junit.xml'), 'utf8')).toBe('<testsuite/>');
    expect(readFileSync(join(dir, 'down', '2', 'shard.json'), 'utf8')).toBe('{"a":2}');

    asJob('run-2', 'job-x');
    expect(await artifacts.list()).toEqual([]);
    await expect(artifacts.download('slipway-shard-1-of-2', join(dir, 'down', 'x'))).rejects.toThrow(/no artifact named slipway-shard-1-of-2/);
  }, 30_000);

  test('a token without the Actions.Results scope is refused', async () => {
    asJob('run-1', 'job-a');
    process.env.ACTIONS_RUNTIME_TOKEN = jwt({ scp: 'Actions.Results:run-1' });
    // The library itself refuses a token whose scope names no job.
    await expect(githubArtifacts().list()).rejects.toThrow();
    const answer = await fetch(`${service.url}twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt({ scp: 'Actions.Other' })}` },
      body: JSON.stringify({ workflow_run_backend_id: 'run-1', workflow_job_run_backend_id: 'job-a' })
    });
    expect(answer.status).toBe(401);
  });
});
