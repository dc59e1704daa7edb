// The pure parts of the GitHub adapters: workflow commands and the cache service protocol.
import { describe, expect, test } from '@jest/globals';
// The library's own version function, reached by file: the package exports only its entry point.
import { getCacheVersion } from '../../node_modules/@actions/cache/lib/internal/cacheUtils.js';
import { cacheReadable, cacheService, cacheVersion, extractArgs, lookupRequest, parseLookup } from '../../src/adapters/github/cache.js';
import { annotationProperties, formatCommand, formatOutput, getInput } from '../../src/adapters/github/workflow-commands.js';

describe('workflow commands', () => {
  test.each<[string, string, Record<string, string | number | undefined>, string]>([
    ['debug', 'plain', {}, '::debug::plain'],
    ['warning', '100% done\nnext line\r', {}, '::warning::100%25 done%0Anext line%0D'],
    ['error', 'm', { file: 'src/a,b.py', line: 3, col: undefined, title: 'E1: x' }, '::error file=src/a%2Cb.py,line=3,title=E1%3A x::m'],
    ['notice', 'm', { title: '' }, '::notice::m'],
    ['group', 'install: pip', {}, '::group::install: pip'],
    // a message cannot end the command and start another
    ['warning', 'x\n::add-mask::y', {}, '::warning::x%0A::add-mask::y']
  ])('%s %j %j', (name, message, properties, expected) => {
    expect(formatCommand(name, message, properties)).toBe(expected);
  });

  test('annotation positions use the runner names', () => {
    expect(annotationProperties({ file: 'a.py', startLine: 2, startColumn: 5, endLine: 3, endColumn: 1, title: 't' })).toEqual({
      file: 'a.py',
      line: 2,
      col: 5,
      endLine: 3,
      endColumn: 1,
      title: 't'
    });
  });

  test.each<[string, NodeJS.ProcessEnv, string]>([
    ['python-version', { 'INPUT_PYTHON-VERSION': ' 3.12 ' }, '3.12'],
    ['deploy hook', { INPUT_DEPLOY_HOOK: 'x' }, 'x'],
    ['missing', {}, '']
  ])('getInput(%j)', (name, env, expected) => {
    expect(getInput(name, env)).toBe(expected);
  });

  test('an output is a heredoc with its own delimiter, multi-line values intact', () => {
    expect(formatOutput('summary', 'a\nb', 'EOF_1')).toBe('summary<<EOF_1\na\nb\nEOF_1\n');
    expect(() => formatOutput('x', 'text EOF_1 text', 'EOF_1')).toThrow(/delimiter/);
    expect(formatOutput('x', 'v')).toMatch(/^x<<slipway_[0-9a-f-]{36}\nv\nslipway_[0-9a-f-]{36}\n$/);
  });
});

describe('cache service protocol', () => {
  test.each<[string, NodeJS.ProcessEnv, { version: 'v1' | 'v2'; available: boolean }]>([
    ['github.com, v2', { ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RESULTS_URL: 'https://r/' }, { version: 'v2', available: true }],
    ['v2 without a results URL', { ACTIONS_CACHE_SERVICE_V2: 'true' }, { version: 'v2', available: false }],
    ['v1', { ACTIONS_CACHE_URL: 'https://c/' }, { version: 'v1', available: true }],
    ['nothing', {}, { version: 'v1', available: false }],
    ['GHE.com is github.com', { GITHUB_SERVER_URL: 'https://acme.ghe.com', ACTIONS_CACHE_SERVICE_V2: '1', ACTIONS_RESULTS_URL: 'https://r/' }, { version: 'v2', available: true }],
    ['Enterprise Server stays on v1', { GITHUB_SERVER_URL: 'https://git.acme.internal', ACTIONS_CACHE_SERVICE_V2: '1', ACTIONS_RESULTS_URL: 'https://r/', ACTIONS_CACHE_URL: 'https://c/' }, { version: 'v1', available: true }]
  ])('%s', (_, env, expected) => {
    expect(cacheService(env)).toEqual(expected);
  });

  test.each<[string | undefined, boolean]>([
    [undefined, true],
    ['read', true],
    ['write', true],
    [' WRITE-ONLY ', false],
    ['none', false],
    ['something-new', true]
  ])('cache-mode %j readable: %s', (mode, readable) => {
    expect(cacheReadable(mode === undefined ? {} : { ACTIONS_CACHE_MODE: mode })).toBe(readable);
  });

  test.each<[string[], 'zstd-without-long' | 'gzip']>([
    [['/home/runner/work/_temp/slipway/app-1a2b/venv'], 'zstd-without-long'],
    [['/tmp/a', '/tmp/b'], 'zstd-without-long'],
    [['node_modules', 'packages/x/node_modules'], 'gzip']
  ])('the version of %j (%s) is the one @actions/cache computes', (paths, compression) => {
    expect(cacheVersion(paths, compression, 'linux')).toBe(getCacheVersion(paths, compression as never, false));
    expect(cacheVersion(paths, compression, 'linux')).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the lookup request', () => {
    const request = lookupRequest('https://results.example/base/', 'tok', 'k', ['k-'], 'v');
    expect(request).toEqual({
      url: 'https://results.example/twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: 'Bearer tok' },
      body: '{"key":"k","restore_keys":["k-"],"version":"v"}'
    });
  });

  test.each<[string, ReturnType<typeof parseLookup>]>([
    ['{"ok":false}', { found: false }],
    ['{}', { found: false }],
    ['{"ok":true,"signed_download_url":"https://b/x?sig=s","matched_key":"k-1"}', { found: true, url: 'https://b/x?sig=s', matchedKey: 'k-1' }],
    ['{"ok":true,"signedDownloadUrl":"https://b/x","matchedKey":"k"}', { found: true, url: 'https://b/x', matchedKey: 'k' }]
  ])('parseLookup(%s)', (body, expected) => {
    expect(parseLookup(body)).toEqual(expected);
  });

  test.each(['{"ok":true}', '{"ok":true,"signed_download_url":""}', 'not json'])('parseLookup(%s) throws', (body) => {
    expect(() => parseLookup(body)).toThrow();
  });

  test.each<['zstd-without-long' | 'gzip', string[]]>([
    ['zstd-without-long', ['-xf', '-', '-P', '-C', '/ws', '--use-compress-program', 'unzstd']],
    ['gzip', ['-xf', '-', '-P', '-C', '/ws', '-z']]
  ])('extractArgs(%s)', (compression, expected) => {
    expect(extractArgs(compression, '/ws')).toEqual(expected);
  });
});
