// The pure parts of the GitHub adapters: workflow commands and the cache service protocol.
import { describe, expect, test } from '@jest/globals';
// The library's own version function, reached by file: the package exports only its entry point.
import { getCacheVersion } from '../../node_modules/@actions/cache/lib/internal/cacheUtils.js';
import { extractArgs } from '../../src/adapters/github/cache-restore.js';
import { archiveName, BLOCK_BYTES, blockListXml, createArgs, manifest, SINGLE_SHOT_BYTES, uploadBlocks } from '../../src/adapters/github/cache-save.js';
import { answerProblem, parseLookup, twirpRequest } from '../../src/adapters/github/cache-twirp.js';
import { cacheReadable, cacheService, cacheVersion, cacheWritable } from '../../src/adapters/github/cache.js';
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

  test.each<[string | undefined, boolean]>([
    [undefined, true],
    ['write', true],
    ['write-only', true],
    [' Read ', false],
    ['none', false],
    ['something-new', true]
  ])('cache-mode %j writable: %s', (mode, writable) => {
    expect(cacheWritable(mode === undefined ? {} : { ACTIONS_CACHE_MODE: mode })).toBe(writable);
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
    const request = twirpRequest('https://results.example/base/', 'tok', 'GetCacheEntryDownloadURL', { key: 'k', restore_keys: ['k-'], version: 'v' });
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
    expect(parseLookup(JSON.parse(body))).toEqual(expected);
  });

  test.each(['{"ok":true}', '{"ok":true,"signed_download_url":""}', 'not json'])('parseLookup(%s) throws', (body) => {
    expect(() => parseLookup(JSON.parse(body))).toThrow();
  });

  test.each<['zstd-without-long' | 'gzip', string[]]>([
    ['zstd-without-long', ['-xf', '-', '-P', '-C', '/ws', '--use-compress-program', 'unzstd']],
    ['gzip', ['-xf', '-', '-P', '-C', '/ws', '-z']]
  ])('extractArgs(%s)', (compression, expected) => {
    expect(extractArgs(compression, '/ws')).toEqual(expected);
  });

  test.each<[number, Record<string, unknown>, string]>([
    [500, { code: 'internal', msg: 'boom' }, 'HTTP 500: boom'],
    [200, { ok: false, message: 'cache write denied: no writable scopes' }, 'HTTP 200: cache write denied: no writable scopes'],
    [404, {}, 'HTTP 404']
  ])('answerProblem(%i, %j)', (status, json, expected) => {
    expect(answerProblem({ status, json })).toBe(expected);
  });
});

describe('saving an entry as @actions/cache does', () => {
  // The library's createTar: `tar --posix -cf <archive> --exclude <archive> -P -C <workspace>
  // --files-from manifest.txt` plus the compression program (zstdmt on Linux, -z for gzip).
  test.each<['zstd-without-long' | 'gzip', string[]]>([
    ['zstd-without-long', ['--posix', '-cf', 'cache.tzst', '--exclude', 'cache.tzst', '-P', '-C', '/ws', '--files-from', 'manifest.txt', '--use-compress-program', 'zstdmt']],
    ['gzip', ['--posix', '-cf', 'cache.tgz', '--exclude', 'cache.tgz', '-P', '-C', '/ws', '--files-from', 'manifest.txt', '-z']]
  ])('createArgs(%s)', (compression, expected) => {
    expect(createArgs(compression, '/ws')).toEqual(expected);
    expect(archiveName(compression)).toBe(expected[2]);
  });

  test('tar members are relative to the workspace, absent paths left out', () => {
    const present = new Set(['/ws', '/ws/node_modules', '/runner/_temp/slipway/venv']);
    const paths = ['/ws/node_modules', '/ws/packages/a/node_modules', '/runner/_temp/slipway/venv', '/ws'];
    expect(manifest(paths, '/ws', (path) => present.has(path))).toEqual(['node_modules', '../runner/_temp/slipway/venv', '.']);
  });

  test.each<[number, number[] | undefined]>([
    [1, undefined],
    [SINGLE_SHOT_BYTES, undefined],
    [SINGLE_SHOT_BYTES + 1, [BLOCK_BYTES, BLOCK_BYTES, 1]],
    [5 * BLOCK_BYTES, [BLOCK_BYTES, BLOCK_BYTES, BLOCK_BYTES, BLOCK_BYTES, BLOCK_BYTES]]
  ])('an archive of %i bytes goes up in blocks of %j', (size, lengths) => {
    const blocks = uploadBlocks(size);
    expect(blocks?.map((block) => block.length)).toEqual(lengths);
    if (!blocks) return;
    // Contiguous, covering the archive; ids unique, base64, all of one length (Azure requires it).
    expect(blocks.map((block) => block.offset)).toEqual(blocks.map((_, i) => i * BLOCK_BYTES));
    expect(new Set(blocks.map((block) => block.id)).size).toBe(blocks.length);
    expect(new Set(blocks.map((block) => block.id.length)).size).toBe(1);
    for (const { id } of blocks) expect(Buffer.from(id, 'base64').toString('base64')).toBe(id);
  });

  test('the block list names the blocks in order', () => {
    expect(blockListXml(['QQ==', 'Qg=='])).toBe('<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>QQ==</Latest><Latest>Qg==</Latest></BlockList>');
  });
});
