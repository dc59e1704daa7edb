// The pure parts of pull request previews: the decision per event, tags, the hook's body and signature,
// the preview's URL and health URL, and the preview inputs' checks.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { tmpdir } from 'node:os';
import { buildConfig } from '../../src/config.js';
import { previewConfig, type PreviewConfig } from '../../src/config-preview.js';
import type { GitEvent } from '../../src/context.js';
import { ConfigError, type InputName } from '../../src/inputs.js';
import { previewHeaders, signature, SIGNATURE_HEADER } from '../../src/stages/preview-hook.js';
import {
  closesPreview,
  previewBody,
  previewDecision,
  previewHealthUrl,
  previewTags,
  previewUrlFrom,
  type PreviewFacts
} from '../../src/stages/preview-plan.js';
import { pick, random, times } from '../fixtures/fuzz.js';

const SECRET = 'whsec_0123456789abcdef0123';
const HOOK = 'https://previews.example.com/hook?key=hook-query-key-1234';
const PREVIEW: PreviewConfig = { hook: HOOK, secret: SECRET, urlTemplate: 'https://shop-pr-{pr}.example.com' };
const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';

const event = (overrides: Partial<GitEvent> & { action?: string; merged?: boolean } = {}): GitEvent => {
  const { action = 'opened', merged, ...rest } = overrides;
  return {
    name: 'pull_request',
    ref: 'refs/pull/7/merge',
    sha: SHA,
    defaultBranch: 'main',
    repository: 'acme/shop',
    serverUrl: 'https://github.com',
    pullRequest: { number: 7, baseRef: 'main', baseSha: '0'.repeat(40), headSha: 'a'.repeat(40), headRef: 'feature/x', action, merged },
    ...rest
  };
};

describe('previewDecision', () => {
  test.each([
    ['opened', 'deploy'],
    ['synchronize', 'deploy'],
    ['reopened', 'deploy'],
    ['labeled', 'deploy'],
    ['ready_for_review', 'deploy'],
    ['closed', 'destroy'],
    ['edited', 'skip'],
    ['assigned', 'skip']
  ])('a same-repository pull request %s: %s', (action, kind) => {
    const decision = previewDecision(PREVIEW, event({ action }), true);
    expect(decision?.kind).toBe(kind);
    if (decision?.kind === 'deploy' || decision?.kind === 'destroy') expect(decision).toMatchObject({ number: 7, environment: 'pr-7' });
  });

  test('closed and merged destroys too, and says so', () => {
    expect(previewDecision(PREVIEW, event({ action: 'closed', merged: true }), false)).toMatchObject({
      kind: 'destroy',
      merged: true,
      reason: expect.stringMatching(/was merged/)
    });
    expect(previewDecision(PREVIEW, event({ action: 'closed' }), false)).toMatchObject({ merged: false, reason: expect.stringMatching(/without merging/) });
  });

  test('failed tests deploy nothing; the earlier preview stays', () => {
    expect(previewDecision(PREVIEW, event(), false)).toMatchObject({ kind: 'skip', notice: false, reason: expect.stringMatching(/pr-7 stays/) });
  });

  test.each([
    ['a fork', event({ untrusted: 'a pull request from a fork' }), /fork/],
    ['a closed fork', event({ untrusted: 'a pull request from a fork', action: 'closed' }), /fork/],
    ['pull_request_target', event({ name: 'pull_request_target', untrusted: 'a pull_request_target run' }), /pull_request_target/]
  ])('never for %s: skipped with a notice', (_name, from, reason) => {
    expect(previewDecision(PREVIEW, from, true)).toMatchObject({ kind: 'skip', notice: true, reason: expect.stringMatching(reason) });
  });

  test('nothing to decide without previews or outside pull requests', () => {
    expect(previewDecision(undefined, event(), true)).toBeUndefined();
    expect(previewDecision(PREVIEW, event({ name: 'push', ref: 'refs/heads/main', pullRequest: undefined }), true)).toBeUndefined();
  });

  test('only a closing pull request with previews on takes the close branch', () => {
    expect(closesPreview(PREVIEW, event({ action: 'closed' }))).toBe(true);
    expect(closesPreview(PREVIEW, event({ action: 'synchronize' }))).toBe(false);
    expect(closesPreview(undefined, event({ action: 'closed' }))).toBe(false);
    expect(closesPreview(PREVIEW, event({ name: 'push', action: 'closed' }))).toBe(false);
  });
});

test('tags: the sha tag first and pr-<n>; never latest or a branch', () => {
  expect(previewTags('ghcr.io/acme/shop', 7, SHA)).toEqual(['ghcr.io/acme/shop:sha-3f78685', 'ghcr.io/acme/shop:pr-7']);
});

describe('previewUrlFrom', () => {
  test.each([
    ['the answer’s url wins', '{"url":"https://pr-7.render.example"}', PREVIEW.urlTemplate, 'https://pr-7.render.example'],
    ['the template without a url in the answer', '{"id":"srv-1"}', PREVIEW.urlTemplate, 'https://shop-pr-7.example.com'],
    ['the template when the answer is not JSON', 'ok', PREVIEW.urlTemplate, 'https://shop-pr-7.example.com'],
    ['a url that is not http(s) is ignored', '{"url":"javascript:alert(1)"}', PREVIEW.urlTemplate, 'https://shop-pr-7.example.com'],
    ['no url at all', 'ok', undefined, undefined],
    ['JSON null', 'null', undefined, undefined],
    ['a url of another type', '{"url":7}', undefined, undefined]
  ])('%s', (_name, answer, template, url) => {
    const found = previewUrlFrom(answer, template, 7);
    expect(found.url).toBe(url);
    if (!url) expect(found.note).toMatch(/unknown/);
  });
});

test.each([
  ['https://shop-pr-7.example.com', 'https://shop.example.com/health', 'https://shop-pr-7.example.com/health'],
  ['https://shop-pr-7.example.com/', 'https://shop.example.com/health?deep=1', 'https://shop-pr-7.example.com/health?deep=1'],
  ['https://previews.example.com/pr-7', 'https://shop.example.com/api/health', 'https://previews.example.com/pr-7/api/health'],
  ['http://127.0.0.1:8080', 'https://shop.example.com/', 'http://127.0.0.1:8080/']
])('health of %s from %s: %s', (preview, health, expected) => {
  expect(previewHealthUrl(preview, health)).toBe(expected);
});

const facts: PreviewFacts = {
  action: 'deploy',
  number: 7,
  environment: 'pr-7',
  image: 'ghcr.io/acme/shop:pr-7',
  digest: `sha256:${'1'.repeat(64)}`,
  sha: SHA,
  ref: 'refs/pull/7/merge',
  headRef: 'feature/x',
  headSha: 'a'.repeat(40),
  repository: 'acme/shop'
};

describe('the hook body and its signature', () => {
  test('the body holds what the contract names, in a fixed order', () => {
    expect(JSON.parse(previewBody(facts))).toEqual({
      action: 'deploy',
      pull_request: 7,
      environment: 'pr-7',
      image: 'ghcr.io/acme/shop:pr-7',
      digest: facts.digest,
      sha: SHA,
      ref: 'refs/pull/7/merge',
      head_ref: 'feature/x',
      head_sha: 'a'.repeat(40),
      repository: 'acme/shop'
    });
    expect(JSON.parse(previewBody({ ...facts, action: 'destroy', digest: undefined, merged: true }))).toMatchObject({
      action: 'destroy',
      digest: null,
      merged: true
    });
  });

  test('the signature is GitHub’s scheme: sha256= and the hex HMAC-SHA256 of the body', () => {
    const body = previewBody(facts);
    const expected = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    expect(signature(SECRET, body)).toBe(expected);
    expect(previewHeaders(SECRET, body, 'deploy', 'id-1')).toMatchObject({ [SIGNATURE_HEADER]: expected, 'content-type': 'application/json' });
  });

  test('property: for any body and secret the signature verifies, another body or secret does not, and the body carries no secret', () => {
    const next = random(20261130);
    const pieces = ['a', 'é', '🚀', '"', '\\', '\n', '\u0000', ' ', '{', '}', 'sha256=', 'x'.repeat(50)];
    const text = (length: number): string => [...times(length, () => pick(next, pieces))].join('');
    for (const _ of times(300, () => 0)) {
      const secret = `s${text(1 + Math.floor(next() * 20))}-${Math.floor(next() * 1e9)}`.padEnd(16, '#');
      const body = previewBody({ ...facts, headRef: text(Math.floor(next() * 30)), image: `ghcr.io/acme/shop:pr-${Math.floor(next() * 1e6)}` });
      const header = signature(secret, body);
      // What a receiver does: recompute over the raw bytes, compare in constant time.
      const mine = Buffer.from(`sha256=${createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('hex')}`);
      expect(timingSafeEqual(Buffer.from(header), mine)).toBe(true);
      expect(signature(secret, `${body} `)).not.toBe(header);
      expect(signature(`${secret}x`, body)).not.toBe(header);
      expect(body).not.toContain(secret);
      expect(body).not.toContain(HOOK);
      expect(JSON.parse(body)).toMatchObject({ action: 'deploy', pull_request: 7 });
    }
  });
});

describe('preview inputs', () => {
  const check = (values: Parameters<typeof previewConfig>[0]) => () => previewConfig(values);

  test('all three together', () => {
    expect(previewConfig({ hook: HOOK, secret: SECRET, url: 'https://shop-pr-{pr}.example.com', image: 'ghcr.io/acme/shop' })).toEqual(PREVIEW);
    expect(previewConfig({ image: 'ghcr.io/acme/shop' })).toBeUndefined();
  });

  test.each([
    ['a hook without an image', { hook: HOOK, secret: SECRET }, /^Input `preview-hook`: is set, but `image` is empty/],
    ['a secret without a hook', { secret: SECRET, image: 'x/y' }, /^Input `preview-hook-secret`: is set, but `preview-hook` is empty/],
    ['a url without a hook', { url: 'https://x-{pr}.example.com', image: 'x/y' }, /^Input `preview-url`: is set, but `preview-hook` is empty/],
    ['a hook without a secret', { hook: HOOK, image: 'x/y' }, /^Input `preview-hook-secret`: is empty, .*openssl rand -hex 32/],
    ['a short secret', { hook: HOOK, secret: 'short-secret', image: 'x/y' }, /^Input `preview-hook-secret`: is shorter than 16/],
    ['a hook that is no URL', { hook: 'previews.example.com/hook?key=abcd', secret: SECRET, image: 'x/y' }, /^Input `preview-hook`: .*not an http\(s\) URL/],
    ['a link-local hook', { hook: 'http://169.254.169.254/latest', secret: SECRET, image: 'x/y' }, /^Input `preview-hook`: .*link-local/],
    [
      'a preview-url that is no URL',
      { hook: HOOK, secret: SECRET, image: 'x/y', url: 'shop-pr-{pr}' },
      /^Input `preview-url`: "shop-pr-\{pr\}" is not an http/
    ],
    ['a preview-url with another placeholder', { hook: HOOK, secret: SECRET, image: 'x/y', url: 'https://{branch}.example.com' }, /^Input `preview-url`/]
  ])('%s is refused, naming the input and the fix', (_name, values, message) => {
    expect(check(values)).toThrow(ConfigError);
    expect(check(values)).toThrow(message);
  });

  test('the hook and the secret never appear in a message', () => {
    for (const values of [
      { hook: 'previews.example.com/hook?key=abcd', secret: SECRET, image: 'x/y' },
      { hook: HOOK, secret: 'short-secret', image: 'x/y' },
      { hook: HOOK, image: 'x/y' }
    ]) {
      const message = (() => {
        try {
          previewConfig(values);
          return '';
        } catch (error) {
          return (error as Error).message;
        }
      })();
      expect(message).not.toBe('');
      expect(message).not.toContain('abcd');
      expect(message).not.toContain('hook-query-key');
      expect(message).not.toContain('short-secret');
    }
  });

  test('a fixed preview-url (one shared preview) is allowed', () => {
    expect(previewConfig({ hook: HOOK, secret: SECRET, url: 'https://preview.example.com', image: 'x/y' })?.urlTemplate).toBe('https://preview.example.com');
  });

  test('a run without a checkout (a closed pull request) checks no project file; any other run does', async () => {
    const inputs: Partial<Record<InputName, string>> = {
      'working-directory': 'not-checked-out',
      image: 'ghcr.io/acme/shop',
      'cache-dependency-path': 'requirements.txt',
      'preview-hook': HOOK,
      'preview-hook-secret': SECRET
    };
    const read = (name: InputName): string => inputs[name] ?? '';
    await expect(buildConfig(read, tmpdir(), { checkout: false })).resolves.toMatchObject({ image: 'ghcr.io/acme/shop', preview: { hook: HOOK } });
    await expect(buildConfig(read, tmpdir())).rejects.toThrow(/^Input `working-directory`/);
    // The values themselves are still checked.
    await expect(buildConfig((name) => (name === 'image' ? 'ghcr.io/Acme/shop' : read(name)), tmpdir(), { checkout: false })).rejects.toThrow(/^Input `image`/);
  });
});
