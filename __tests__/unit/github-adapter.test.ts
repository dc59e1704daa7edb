// The GitHub adapters' protocols: workflow commands (through @actions/core and Slipway's wrapper)
// and the cache service.
import * as core from '@actions/core';
import { describe, expect, jest, test } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The library's own version function, reached by file: the package exports only its entry point.
import { getCacheVersion } from '../../node_modules/@actions/cache/lib/internal/cacheUtils.js';
import { extractArgs } from '../../src/adapters/github/cache-restore.js';
import {
  archiveName,
  BLOCK_BYTES,
  blockListXml,
  createArgs,
  manifest,
  SINGLE_SHOT_BYTES,
  uploadBlocks,
  membersManifest
} from '../../src/adapters/github/cache-save.js';
import { answerProblem, parseLookup, twirpRequest } from '../../src/adapters/github/cache-twirp.js';
import { cacheReadable, cacheService, cacheVersion, cacheWritable } from '../../src/adapters/github/cache.js';
import { printText, saveState, setOutput, setSecret } from '../../src/adapters/github/workflow-commands.js';

describe('workflow commands', () => {
  // Through @actions/core: what matters is the text the runner reads.
  test.each<[string, () => void, string]>([
    ['debug', () => core.debug('plain'), '::debug::plain'],
    ['warning', () => core.warning('100% done\nnext line\r'), '::warning::100%25 done%0Anext line%0D'],
    [
      'error',
      () => core.error('m', { file: 'src/a,b.py', startLine: 3, startColumn: undefined, title: 'E1: x' }),
      '::error title=E1%3A x,file=src/a%2Cb.py,line=3::m'
    ],
    // empty properties are left out (the toolkit keeps the space; the runner reads the same command)
    ['notice', () => core.notice('m', { title: '' }), '::notice ::m'],
    ['group', () => core.startGroup('install: pip'), '::group::install: pip'],
    // a message cannot end the command and start another
    ['warning', () => core.warning('x\n::add-mask::y'), '::warning::x%0A::add-mask::y']
  ])('%s', (_, print, expected) => {
    expect(printed(print)).toEqual([expected]);
  });

  test('annotation positions use the runner names', () => {
    const annotation = { file: 'a.py', startLine: 2, startColumn: 5, endLine: 3, endColumn: 1, title: 't' };
    expect(printed(() => core.error('m', annotation))).toEqual(['::error title=t,file=a.py,line=2,endLine=3,col=5,endColumn=1::m']);
  });

  test.each<[string, NodeJS.ProcessEnv, string]>([
    ['python-version', { 'INPUT_PYTHON-VERSION': ' 3.12 ' }, '3.12'],
    ['deploy hook', { INPUT_DEPLOY_HOOK: 'x' }, 'x'],
    ['missing', {}, '']
  ])('getInput(%j)', (name, env, expected) => {
    expect(withEnv(env, () => core.getInput(name))).toBe(expected);
  });

  test('an output is a heredoc with its own delimiter, multi-line values intact; no file, no output', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'slipway-output-')), 'output');
    writeFileSync(file, '');
    expect(printed(() => withEnv({ GITHUB_OUTPUT: file }, () => setOutput('summary', 'a\nb')))).toEqual([]);
    expect(readFileSync(file, 'utf8')).toMatch(/^summary<<(ghadelimiter_[0-9a-f-]{36})\na\nb\n\1\n$/);
    // Outside a runner nothing is printed in its place (no deprecated ::set-output / ::save-state).
    expect(printed(() => withEnv({ GITHUB_OUTPUT: undefined, GITHUB_STATE: undefined }, () => (setOutput('x', 'v'), saveState('y', 'v'))))).toEqual([]);
  });

  test('text that looks like a command is printed inside a stop-commands block with a random token', () => {
    expect(printed(() => printText(['plain', 'text']))).toEqual(['plain', 'text']);
    const lines = printed(() => printText(['ok', '::error::x', 'a ##[set-env name=A;]b']));
    const token = /^::stop-commands::([0-9a-f-]{36})$/.exec(lines[0] ?? '')?.[1];
    expect(token).toBeDefined();
    expect(lines).toEqual([lines[0], 'ok', '::error::x', 'a ##[set-env name=A;]b', `::${token}::`]);
  });

  test('each line of a multi-line secret is masked', () => {
    expect(printed(() => setSecret('one\n\n two '))).toEqual(['::add-mask::one', '::add-mask:: two ']);
  });
});

/** What `print` wrote to stdout, line by line. */
function printed(print: () => void): string[] {
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    print();
    return write.mock.calls
      .map(([chunk]) => String(chunk))
      .join('')
      .split('\n')
      .slice(0, -1);
  } finally {
    write.mockRestore();
  }
}

/** Runs `body` with `env` set (undefined: unset), then puts the environment back. */
function withEnv<T>(env: Record<string, string | undefined>, body: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(env);
  try {
    return body();
  } finally {
    apply(saved);
  }
}

describe('cache service protocol', () => {
  test.each<[string, NodeJS.ProcessEnv, { version: 'v1' | 'v2'; available: boolean }]>([
    ['github.com, v2', { ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RESULTS_URL: 'https://r/' }, { version: 'v2', available: true }],
    ['v2 without a results URL', { ACTIONS_CACHE_SERVICE_V2: 'true' }, { version: 'v2', available: false }],
    ['v1', { ACTIONS_CACHE_URL: 'https://c/' }, { version: 'v1', available: true }],
    ['nothing', {}, { version: 'v1', available: false }],
    [
      'GHE.com is github.com',
      { GITHUB_SERVER_URL: 'https://acme.ghe.com', ACTIONS_CACHE_SERVICE_V2: '1', ACTIONS_RESULTS_URL: 'https://r/' },
      { version: 'v2', available: true }
    ],
    [
      'Enterprise Server stays on v1',
      { GITHUB_SERVER_URL: 'https://git.acme.internal', ACTIONS_CACHE_SERVICE_V2: '1', ACTIONS_RESULTS_URL: 'https://r/', ACTIONS_CACHE_URL: 'https://c/' },
      { version: 'v1', available: true }
    ]
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
    [
      'zstd-without-long',
      ['--posix', '-cf', 'cache.tzst', '--exclude', 'cache.tzst', '-P', '-C', '/ws', '--files-from', 'manifest.txt', '--use-compress-program', 'zstdmt']
    ],
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

describe('cache entry of some files (membersManifest)', () => {
  const exists = (path: string): boolean => !path.includes('missing');
  test('the folders alone, parents first, then the trees with everything under them; relative to the workspace', () => {
    const members = { folders: ['/w/env', '/w/env/lib'], trees: ['/w/env/lib/a', '/w/env/b', '/w/env/missing'] };
    expect(membersManifest(members, '/w', exists)).toEqual(['--no-recursion', 'env', 'env/lib', '--recursion', 'env/lib/a', 'env/b']);
  });
  test('a tree outside the workspace keeps its relative way there', () => {
    expect(membersManifest({ folders: ['/t/env'], trees: ['/t/env/x'] }, '/w/repo', exists)).toEqual([
      '--no-recursion',
      '../../t/env',
      '--recursion',
      '../../t/env/x'
    ]);
  });
  test('no tree there: nothing to archive, whatever the folders', () => {
    expect(membersManifest({ folders: ['/w/env'], trees: ['/w/env/missing'] }, '/w', exists)).toEqual([]);
  });
});
