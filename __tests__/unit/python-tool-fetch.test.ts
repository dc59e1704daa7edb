// Whether the package index has a lock file's missing tool: only pip's own "name (version)" answer says yes.
import { describe, expect, test } from '@jest/globals';
import { indexHasTool } from '../../src/ecosystems/python/tool-fetch.js';
import { StageLog } from '../../src/stage-log.js';
import { fakeRunner } from '../fixtures/fake-ports.js';

describe('indexHasTool', () => {
  test.each([
    ['the index lists it', { code: 0, stdout: 'poetry (2.1.3)\nAvailable versions: 2.1.3, 2.1.2\n' }, true],
    ['the index does not have it', { code: 1, stderr: 'ERROR: No matching distribution found for poetry\n' }, false],
    ['exit 0 without the answer', { code: 0, stdout: '' }, false],
    ['another name in the answer', { code: 0, stdout: 'poetry-core (2.1.3)\n' }, false]
  ])('%s', async (_, answer, expected) => {
    const runner = fakeRunner(() => answer);
    expect(await indexHasTool(new StageLog(runner), '/usr/bin/python3', 'poetry', '/project')).toBe(expected);
    expect(runner.calls[0]?.args).toEqual([
      '-m',
      'pip',
      'index',
      'versions',
      'poetry',
      '--disable-pip-version-check',
      '--no-input',
      '--retries',
      '0',
      '--timeout',
      '5'
    ]);
  });

  test('a pip that cannot start is a no', async () => {
    const runner = fakeRunner(() => Promise.reject(new Error('ENOENT')));
    expect(await indexHasTool(new StageLog(runner), '/nope/python', 'uv', '/project')).toBe(false);
  });
});
