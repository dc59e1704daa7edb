import { describe, expect, test } from '@jest/globals';
import { downloadCacheKeys, environmentKey, runnerImage, type EnvironmentKeyParts } from '../../src/cache-key.js';

const base: EnvironmentKeyParts = {
  cacheVersion: 'v1',
  os: 'linux',
  arch: 'x64',
  image: 'ubuntu24',
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
    expect(environmentKey(base)).toMatch(/^slipway-v1-linux-x64-ubuntu24-python-cpython-3\.11\.7-[0-9a-f]{8}-[0-9a-f]{64}$/);
  });

  test.each<[string, Partial<EnvironmentKeyParts>]>([
    ['cache version', { cacheVersion: 'v2' }],
    ['operating system', { os: 'darwin' }],
    ['architecture', { arch: 'arm64' }],
    ['OS release (runner image)', { image: 'ubuntu22' }],
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
    expect(restoreKeys[0]).toBe('slipway-v1-linux-x64-ubuntu24-pip-downloads-python-cpython-3.11.7-');
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

describe('runnerImage: the OS release in the key', () => {
  const UBUNTU = 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n';
  const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nID=debian\n';
  const ALPINE = "NAME='Alpine Linux'\nID=alpine\nVERSION_ID=3.20.3\n";
  test.each<[string, Parameters<typeof runnerImage>[0], string]>([
    ["the runner's ImageOS wins", { imageOS: 'ubuntu24', osRelease: UBUNTU, platform: 'linux', kernelRelease: '6.8.0' }, 'ubuntu24'],
    ['the other image gets another key', { imageOS: 'ubuntu22', osRelease: UBUNTU, platform: 'linux', kernelRelease: '6.8.0' }, 'ubuntu22'],
    ['os-release: ID and VERSION_ID, quoted', { osRelease: UBUNTU, platform: 'linux', kernelRelease: '6.8.0' }, 'ubuntu24.04'],
    ['os-release of Debian', { osRelease: DEBIAN, platform: 'linux', kernelRelease: '6.1.0' }, 'debian12'],
    ['os-release with single quotes and a patch version', { osRelease: ALPINE, platform: 'linux', kernelRelease: '6.1.0' }, 'alpine3.20.3'],
    ['a blank ImageOS is not an image', { imageOS: ' ', osRelease: DEBIAN, platform: 'linux', kernelRelease: '6.1.0' }, 'debian12'],
    ['no os-release: the platform and kernel major', { platform: 'darwin', kernelRelease: '23.6.0' }, 'darwin23']
  ])('%s', (_, found, expected) => expect(runnerImage(found)).toBe(expected));

  test('the same interpreter at the same path on two images: two keys', () => {
    expect(environmentKey({ ...base, image: 'ubuntu24' })).not.toBe(environmentKey({ ...base, image: 'ubuntu22' }));
  });
});
