import { describe, expect, test } from '@jest/globals';
import { downloadCacheKeys, environmentKey, type EnvironmentKeyParts } from '../../src/cache-key.js';

const base: EnvironmentKeyParts = {
  cacheVersion: 'v1',
  os: 'linux',
  arch: 'x64',
  runtime: 'python-cpython-3.11.7',
  interpreterPath: '/usr/bin/python3.11',
  files: [
    { path: 'requirements.txt', content: 'flask==3.1.3\n' },
    { path: 'requirements-dev.txt', content: '-r requirements.txt\npytest\n' }
  ],
  commands: [['/env/bin/python', '-m', 'pip', 'install', '-r', 'requirements.txt']]
};

describe('environmentKey', () => {
  test('same inputs give the same key, whatever the order of the files', () => {
    const reordered = { ...base, files: [...base.files].reverse() };
    expect(environmentKey(reordered)).toBe(environmentKey(base));
  });

  test('has the documented shape', () => {
    expect(environmentKey(base)).toMatch(/^slipway-v1-linux-x64-python-cpython-3\.11\.7-[0-9a-f]{8}-[0-9a-f]{64}$/);
  });

  test.each<[string, Partial<EnvironmentKeyParts>]>([
    ['cache version', { cacheVersion: 'v2' }],
    ['operating system', { os: 'darwin' }],
    ['architecture', { arch: 'arm64' }],
    ['runtime version', { runtime: 'python-cpython-3.11.8' }],
    ['runtime implementation', { runtime: 'python-pypy-3.11.7' }],
    ['interpreter path', { interpreterPath: '/opt/hostedtoolcache/Python/3.11.7/x64/bin/python3' }],
    ['a file content', { files: [{ path: 'requirements.txt', content: 'flask==3.1.4\n' }, base.files[1]] }],
    ['a file name', { files: [{ path: 'requirements-prod.txt', content: 'flask==3.1.3\n' }, base.files[1]] }],
    ['a file added', { files: [...base.files, { path: 'constraints.txt', content: '' }] }],
    ['a file removed', { files: [base.files[0]] }],
    ['the install command', { commands: [['/env/bin/python', '-m', 'pip', 'install', '-r', 'requirements-dev.txt']] }],
    ['command arguments split differently', { commands: [['/env/bin/python', '-m', 'pip install', '-r', 'requirements.txt']] }]
  ])('changing the %s changes the key', (_, change) => {
    expect(environmentKey({ ...base, ...change })).not.toBe(environmentKey(base));
  });

  test('keeps keys free of commas and spaces whatever the parts contain', () => {
    const key = environmentKey({ ...base, cacheVersion: 'v 1,2', runtime: 'python,weird name' });
    expect(key).not.toMatch(/[, ]/);
  });

  test('moving content between files changes the key', () => {
    const a = {
      ...base,
      files: [
        { path: 'a.txt', content: 'xy' },
        { path: 'b.txt', content: '' }
      ]
    };
    const b = {
      ...base,
      files: [
        { path: 'a.txt', content: 'x' },
        { path: 'b.txt', content: 'y' }
      ]
    };
    expect(environmentKey(a)).not.toBe(environmentKey(b));
  });
});

describe('downloadCacheKeys', () => {
  test('restore key is a prefix of the key, for the same platform and runtime', () => {
    const { key, restoreKeys } = downloadCacheKeys(base, 'pip');
    expect(restoreKeys).toHaveLength(1);
    expect(key.startsWith(restoreKeys[0])).toBe(true);
    expect(restoreKeys[0]).toBe('slipway-v1-linux-x64-pip-downloads-python-cpython-3.11.7-');
  });

  test('never collides with an environment key prefix', () => {
    const { restoreKeys } = downloadCacheKeys(base, 'pip');
    expect(environmentKey(base).startsWith(restoreKeys[0])).toBe(false);
  });

  test('depends on the dependency files, not on the install command', () => {
    const changedCommand = { ...base, commands: [['other']] };
    expect(downloadCacheKeys(changedCommand, 'pip').key).toBe(downloadCacheKeys(base, 'pip').key);
    const changedFile = { ...base, files: [base.files[0]] };
    expect(downloadCacheKeys(changedFile, 'pip').key).not.toBe(downloadCacheKeys(base, 'pip').key);
  });
});
