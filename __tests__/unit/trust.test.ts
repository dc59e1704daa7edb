// The pure trust rules: what a child's environment keeps, which events are untrusted, what printed
// text the runner could read as a command, and what the secrets registry masks.
import { describe, expect, test } from '@jest/globals';
import { isCommandLike } from '../../src/adapters/github/workflow-commands.js';
import { sameSite } from '../../src/adapters/http.js';
import { childEnvironment, cacheServiceVariables } from '../../src/trust/child-env.js';
import { untrustedReason } from '../../src/trust/events.js';
import { Secrets } from '../../src/trust/secrets.js';
import { pick, random, times } from '../fixtures/fuzz.js';

describe('childEnvironment', () => {
  const SECRET = 'hunter2-secret';
  test.each<[string, Record<string, string | undefined>, Record<string, string | undefined>, Record<string, string>, string[]]>([
    ['plain variables pass', { PATH: '/bin', HOME: '/root' }, {}, { PATH: '/bin', HOME: '/root' }, []],
    [
      'inputs stay behind, whatever their case',
      { 'INPUT_REGISTRY-PASSWORD': 'x', input_other: 'y', PATH: '/bin' },
      {},
      { PATH: '/bin' },
      ['INPUT_REGISTRY-PASSWORD', 'input_other']
    ],
    [
      'runner tokens stay behind',
      {
        ACTIONS_RUNTIME_TOKEN: 't',
        ACTIONS_RESULTS_URL: 'u',
        ACTIONS_CACHE_URL: 'c',
        ACTIONS_ID_TOKEN_REQUEST_URL: 'o',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'p',
        ACTIONS_STEP_DEBUG: 'true'
      },
      {},
      { ACTIONS_STEP_DEBUG: 'true' },
      ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL', 'ACTIONS_CACHE_URL', 'ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN']
    ],
    ['a variable carrying a secret anywhere in its value stays behind', { TOKEN: `Bearer ${SECRET}`, OK: 'fine' }, {}, { OK: 'fine' }, ['TOKEN']],
    [
      'the overlay sets and removes',
      { PATH: '/bin', NODE_OPTIONS: '--x' },
      { PATH: '/venv/bin:/bin', NODE_OPTIONS: undefined, CI: 'true' },
      { PATH: '/venv/bin:/bin', CI: 'true' },
      []
    ],
    [
      'the overlay may hand a runner variable to the one program that needs it',
      { ACTIONS_RUNTIME_TOKEN: 't' },
      { ACTIONS_RUNTIME_TOKEN: 't' },
      { ACTIONS_RUNTIME_TOKEN: 't' },
      []
    ],
    ['the overlay never brings a secret back', { X: 'plain' }, { X: `${SECRET}!` }, {}, ['X']],
    ['undefined base values are absent', { A: undefined, B: 'b' }, {}, { B: 'b' }, []]
  ])('%s', (_, base, overlay, env, withheld) => {
    const result = childEnvironment(base, [SECRET, 'abc'], overlay);
    expect(result.env).toEqual(env);
    expect(result.withheld.sort()).toEqual(withheld.sort());
  });

  test('a secret shorter than 4 characters is not searched for (it would match innocent values)', () => {
    expect(childEnvironment({ N: '1234' }, ['12']).env).toEqual({ N: '1234' });
  });

  test('property: whatever the environment, no secret, input or runner token reaches a child', () => {
    const next = random(7);
    const secrets = ['s3cr3t-one', 'tok_ABCDEF', 'pa:ss@word'];
    const names = ['PATH', 'HOME', 'INPUT_X', 'Input_deploy-hook', 'ACTIONS_RUNTIME_TOKEN', 'ACTIONS_CACHE_URL', 'MY_VAR', 'GITHUB_TOKEN', 'CI'];
    const values = ['plain', '', '/usr/bin', ...secrets, ...secrets.map((s) => `prefix ${s} suffix`)];
    for (const _ of times(300, (i) => i)) {
      const base = Object.fromEntries(times(6, () => [pick(next, names), pick(next, values)]));
      const overlay = Object.fromEntries(times(2, () => [pick(next, names), pick(next, [...values, undefined])]));
      const { env } = childEnvironment(base, secrets, overlay);
      for (const [name, value] of Object.entries(env)) {
        expect(secrets.some((s) => value.includes(s))).toBe(false);
        if (!(name in overlay)) expect(/^INPUT_|^ACTIONS_(RUNTIME_TOKEN|CACHE_URL)$/i.test(name)).toBe(false);
      }
    }
  });

  test('cacheServiceVariables hands buildx the cache service, never the OIDC request token', () => {
    const vars = cacheServiceVariables({ ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'r', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'o', HOME: '/h' });
    expect(vars).toMatchObject({ ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'r' });
    expect(Object.keys(vars).some((name) => name.includes('ID_TOKEN') || name === 'HOME')).toBe(false);
  });
});

describe('untrustedReason', () => {
  const own = { pull_request: { head: { repo: { full_name: 'acme/shop' } } } };
  const fork = { pull_request: { head: { repo: { full_name: 'mallory/shop' } } } };
  test.each<[string, string, object, boolean]>([
    ['push', 'acme/shop', {}, false],
    ['pull_request', 'acme/shop', own, false],
    ['pull_request', 'ACME/Shop', own, false],
    ['pull_request', 'acme/shop', fork, true],
    ['pull_request', 'acme/shop', { pull_request: { head: { repo: null } } }, true],
    ['pull_request_target', 'acme/shop', own, true],
    ['pull_request_review', 'acme/shop', fork, true],
    ['workflow_dispatch', 'acme/shop', {}, false],
    ['schedule', 'acme/shop', {}, false]
  ])('%s in %s', (event, repository, payload, untrusted) => {
    expect(untrustedReason(event, repository, payload) !== undefined).toBe(untrusted);
  });
});

describe('isCommandLike', () => {
  test.each<[string, boolean]>([
    ['plain text', false],
    ['::error::x', true],
    ['   ::add-mask::x', true],
    ['\t::set-env name=A::b', true],
    ['text ##[error]legacy', true],
    ['##[group]x', true],
    ['a :: b', false],
    ['✓ test 1.2s  5 passed', false],
    ['# [not] a command', false]
  ])('%j', (line, expected) => {
    expect(isCommandLike(line)).toBe(expected);
  });
});

describe('Secrets', () => {
  test('masks every value and each of its lines, the longest first', () => {
    const secrets = new Secrets();
    secrets.add('abc');
    secrets.add('abcdef');
    secrets.add('line-one\nline-two');
    expect(secrets.mask('x abcdef y abc z line-two')).toBe('x *** y *** z ***');
    expect(secrets.values()).toEqual(expect.arrayContaining(['abc', 'abcdef', 'line-one', 'line-two', 'line-one\nline-two']));
  });

  test('blank values are ignored', () => {
    const secrets = new Secrets();
    secrets.add('  ');
    secrets.add('');
    expect(secrets.values()).toEqual([]);
    expect(secrets.mask('a b')).toBe('a b');
  });
});

describe('sameSite (which redirects the hook and health clients follow)', () => {
  test.each<[string, string, boolean]>([
    ['https://a.example/x', 'https://a.example/y', true],
    ['http://a.example/x', 'https://a.example/x', true],
    ['https://a.example/x', 'http://a.example/x', false],
    ['http://a.example:8080/x', 'https://a.example/x', false],
    ['http://a.example/x', 'https://a.example:8443/x', false],
    ['https://a.example/x', 'https://b.example/x', false],
    ['http://127.0.0.1:4000/x', 'http://127.0.0.1:4001/x', false]
  ])('%s -> %s', (from, to, expected) => {
    expect(sameSite(new URL(from), new URL(to))).toBe(expected);
  });
});
