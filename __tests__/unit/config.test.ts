import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { buildConfig } from '../../src/config.js';
import { ConfigError, INPUTS, INPUT_DEFAULTS, type InputName } from '../../src/inputs.js';

let repo: string;
beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'slipway-config-'));
  mkdirSync(join(repo, 'service', 'requirements'), { recursive: true });
  writeFileSync(join(repo, 'service', 'requirements', 'base.txt'), 'flask\n');
  writeFileSync(join(repo, 'service', 'requirements', 'dev.txt'), '-r base.txt\n');
  writeFileSync(join(repo, 'service', 'app.py'), '');
  writeFileSync(join(repo, 'service', 'Dockerfile'), 'FROM scratch\n');
});

const configOf = (inputs: Partial<Record<InputName, string>>) => buildConfig((name) => inputs[name] ?? '', repo);

describe('buildConfig', () => {
  test('defaults match the contract', async () => {
    const config = await configOf({});
    expect(config).toMatchObject({
      workingDirectory: repo,
      language: 'auto',
      python: 'python3',
      cache: true,
      cacheVersion: 'v1',
      coverage: true,
      coverageMin: 0,
      lint: true,
      lintBlocking: false,
      dockerfile: 'Dockerfile',
      context: '.',
      healthTimeoutSeconds: 300,
      rollback: true,
      buildOnPullRequest: false
    });
    expect(config.cacheDependencyFiles).toBeUndefined();
    expect(config.installCommands).toBeUndefined();
  });

  test('reads every kind of value', async () => {
    const config = await configOf({
      'working-directory': 'service',
      cache: 'false',
      'coverage-min': '82.5',
      'cache-dependency-path': 'requirements/*.txt\n!requirements/base.txt',
      'install-command': 'pip install -r requirements/dev.txt\npip install "gunicorn==23"',
      'test-command': 'pytest -k "not slow"',
      'deploy-branches': 'main\nrelease/*\n',
      'build-args': 'A=1\n# comment\nB=two words'
    });
    expect(config.workingDirectory).toBe(join(repo, 'service'));
    expect(config.cache).toBe(false);
    expect(config.coverageMin).toBe(82.5);
    expect(config.cacheDependencyFiles).toEqual([join(repo, 'service', 'requirements', 'dev.txt')]);
    expect(config.installCommands).toEqual([
      ['pip', 'install', '-r', 'requirements/dev.txt'],
      ['pip', 'install', 'gunicorn==23']
    ]);
    expect(config.testCommand).toEqual([['pytest', '-k', 'not slow']]);
    expect(config.deployBranches).toEqual(['main', 'release/*']);
    expect(config.buildArgs).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'two words' }
    ]);
  });

  test.each<[string, Partial<Record<InputName, string>>, RegExp]>([
    ['unknown language', { language: 'ruby' }, /^Input `language`: expected auto, python or node, got "ruby"/],
    ['non-numeric coverage-min', { 'coverage-min': 'eighty' }, /^Input `coverage-min`: expected a number from 0 to 100, got "eighty"/],
    ['coverage-min above 100', { 'coverage-min': '101' }, /^Input `coverage-min`: expected a number from 0 to 100, got 101/],
    ['missing working-directory', { 'working-directory': 'nope' }, /^Input `working-directory`: "nope" is not a directory/],
    ['working-directory that is a file', { 'working-directory': 'service/app.py' }, /^Input `working-directory`: "service\/app.py" is not a directory/],
    ['glob matching nothing', { 'cache-dependency-path': 'poetry.lock' }, /^Input `cache-dependency-path`: "poetry.lock" matches no file/],
    ['boolean typo', { cache: 'ture' }, /^Input `cache`: expected true or false, got "ture"/],
    ['bad cache-version', { 'cache-version': 'v1,2' }, /^Input `cache-version`: use letters, digits/],
    ['unclosed quote', { 'test-command': 'pytest -k "x' }, /^Input `test-command`: unclosed " quote/],
    ['health-timeout zero', { 'health-timeout': '0' }, /^Input `health-timeout`: expected a number from 1 to 3600/],
    ['build-arg without =', { 'build-args': 'JUSTNAME' }, /^Input `build-args`: each line must be NAME=value/],
    ['build-arg with a bad name', { 'build-args': 'A=1\n1B=x' }, /^Input `build-args`: each line must be NAME=value; line 2 has an invalid name "1B"/],
    ['a bad image name', { image: 'ghcr.io/Acme/shop:v1' }, /^Input `image`: .*includes a tag/],
    ['image set, no Dockerfile', { image: 'ghcr.io/acme/shop', dockerfile: 'nope/Dockerfile' }, /^Input `dockerfile`: "nope\/Dockerfile" was not found/],
    [
      'image set, Dockerfile is a folder',
      { image: 'ghcr.io/acme/shop', 'working-directory': 'service', dockerfile: 'requirements' },
      /^Input `dockerfile`: "requirements" was not found/
    ],
    ['image set, no build context', { image: 'ghcr.io/acme/shop', context: 'nope' }, /^Input `context`: "nope" is not a directory/],
    [
      'registry-username without password',
      { image: 'ghcr.io/acme/shop', 'working-directory': 'service', 'registry-username': 'robot' },
      /^Input `registry-password`: is empty, but it is needed with `registry-username` to log in to ghcr\.io; give both or neither\.$/
    ],
    [
      'registry-password without username',
      { image: 'ghcr.io/acme/shop', 'working-directory': 'service', 'registry-password': 'pw' },
      /^Input `registry-username`: is empty, but it is needed with `registry-password`/
    ],
    [
      'deploy-branches as a comma-separated list',
      { 'deploy-branches': 'main,develop' },
      /^Input `deploy-branches`: "main,develop" holds several branches; give one branch a line/
    ],
    ['deploy-branches with a negation', { 'deploy-branches': 'release/*\n!main' }, /^Input `deploy-branches`: "!main" is a negation, which is not supported/],
    ['health-url not a URL', { 'health-url': 'localhost:8000/health' }, /^Input `health-url`: "localhost:8000\/health" is not an http\(s\) URL/],
    ['a line break in health-url', { 'health-url': 'https://a.example/h\n::error::x' }, /^Input `health-url`: "https:\/\/a.example\/h…" spans several lines/],
    ['a line break in health-expect', { 'health-expect': 'ok\r::add-mask::x' }, /^Input `health-expect`: "ok…" spans several lines/],
    ['a line break in image', { image: 'ghcr.io/a/b\nx' }, /^Input `image`: .*spans several lines/],
    [
      'a line break in registry-password',
      { 'registry-password': 'pw\nx' },
      /^Input `registry-password`: the value given \(a secret, not shown\) spans several lines/
    ],
    ['a link-local health-url', { 'health-url': 'http://169.254.169.254/latest' }, /^Input `health-url`: .*link-local/],
    ['an IPv6 link-local health-url', { 'health-url': 'http://[fe80::1%25eth0]/' }, /^Input `health-url`: .*(link-local|not an http)/],
    ['a link-local deploy-hook', { 'deploy-hook': 'http://169.254.1.2/deploy?key=k' }, /^Input `deploy-hook`: the value given points at a link-local address/]
  ])('%s is a clear error naming the input', async (_, inputs, message) => {
    const error = await configOf(inputs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  test('a trailing line break (a YAML block) is no line break', async () => {
    expect((await configOf({ 'health-url': 'https://a.example/health\n' })).healthUrl).toBe('https://a.example/health');
  });

  test('multi-line inputs keep their lines', async () => {
    expect((await configOf({ 'deploy-branches': 'main\nrelease/*' })).deployBranches).toEqual(['main', 'release/*']);
  });

  test('cache-dependency-path refuses links out of the workspace and folders', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'slipway-outside-'));
    writeFileSync(join(outside, 'req.txt'), 'x\n');
    mkdirSync(join(repo, 'links'), { recursive: true });
    symlinkSync(join(outside, 'req.txt'), join(repo, 'links', 'req.txt'));
    symlinkSync(outside, join(repo, 'links', 'dir'));
    mkdirSync(join(repo, 'folder.txt'));
    for (const [pattern, message] of [
      ['links/req.txt', /^Input `cache-dependency-path`: .*req.txt leads outside the workspace/],
      ['links/dir', /^Input `cache-dependency-path`: .*dir leads outside the workspace/],
      // A real folder is no match at all; the message says so.
      ['folder.txt', /^Input `cache-dependency-path`: "folder.txt" matches no file/]
    ] as const) {
      const error = await configOf({ 'cache-dependency-path': pattern }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
    }
  });

  test('a bad deploy-hook is reported without echoing the secret', async () => {
    const error = (await configOf({ 'deploy-hook': 'api.render.com/deploy/srv-abc?key=s3cr3t' }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^Input `deploy-hook`: the value given is not an http\(s\) URL/);
    expect(error.message).not.toContain('s3cr3t');
  });

  test('a multi-line test-command is a list of tiers, in order; blank lines and comments are skipped', async () => {
    const config = await configOf({ 'test-command': 'pytest tests/unit\n# slower\n\npytest tests/integration -x' });
    expect(config.testCommand).toEqual([
      ['pytest', 'tests/unit'],
      ['pytest', 'tests/integration', '-x']
    ]);
  });
});

test('action.yml declares exactly the inputs and defaults the code applies', () => {
  const yml = readFileSync(new URL('../../action.yml', import.meta.url), 'utf8');
  const inputsBlock = yml.slice(yml.indexOf('\ninputs:'), yml.indexOf('\noutputs:'));
  const declared = Object.fromEntries([...inputsBlock.matchAll(/^ {2}([a-z-]+):\n(?:(?: {4}.*)\n)*? {4}default: '(.*)'$/gm)].map((m) => [m[1], m[2]]));
  expect(declared).toEqual(INPUT_DEFAULTS);
});

test('action.yml describes every input exactly as the table the CLI help prints', () => {
  const yml = readFileSync(new URL('../../action.yml', import.meta.url), 'utf8');
  const inputsBlock = yml.slice(yml.indexOf('\ninputs:'), yml.indexOf('\noutputs:'));
  const described = Object.fromEntries(
    [...inputsBlock.matchAll(/^ {2}([a-z-]+):\n {4}description: '((?:[^']|'')*)'$/gm)].map((m) => [m[1], m[2]!.replace(/''/g, "'")])
  );
  expect(described).toEqual(Object.fromEntries(Object.entries(INPUTS).map(([name, input]) => [name, input.description])));
});

describe('image inputs', () => {
  test('with an image, the Dockerfile and context are resolved from working-directory and must exist', async () => {
    const config = await configOf({ image: 'ghcr.io/acme/shop', 'working-directory': 'service', 'registry-username': 'robot', 'registry-password': 'pw' });
    expect(config).toMatchObject({ image: 'ghcr.io/acme/shop', dockerfile: 'Dockerfile', context: '.', registryUsername: 'robot' });
  });

  test('without an image, dockerfile, context and registry credentials are not checked', async () => {
    const config = await configOf({ dockerfile: 'nope/Dockerfile', context: 'nope', 'registry-username': 'robot' });
    expect(config.image).toBeUndefined();
  });

  test('a build-arg line without "=" is never repeated in the error (it may be a secret)', async () => {
    const error = (await configOf({ 'build-args': 'A=1\nhunter2-token' }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^Input `build-args`: .*line 2 has no "="/);
    expect(error.message).not.toContain('hunter2');
  });
});
