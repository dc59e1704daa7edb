import { describe, expect, test } from '@jest/globals';
import { isManualDeploy, manualBy, manualTarget, type ManualTarget } from '../../src/stages/manual-deploy-plan.js';

const D = `sha256:${'ab'.repeat(32)}`;
const event = (name: string) => ({
  event: { name, ref: 'refs/heads/main', sha: 'x', defaultBranch: 'main', repository: 'acme/shop', serverUrl: 'https://github.com' }
});

describe('isManualDeploy', () => {
  test.each<[string, string | undefined, boolean]>([
    ['workflow_dispatch', 'ghcr.io/acme/shop:v1', true],
    ['workflow_dispatch', undefined, false],
    ['workflow_dispatch', '  ', false],
    ['push', 'ghcr.io/acme/shop:v1', false],
    ['schedule', 'ghcr.io/acme/shop:v1', false]
  ])('%s with deploy-image %j: %s', (name, deployImage, expected) => {
    expect(isManualDeploy({ deployImage }, event(name))).toBe(expected);
  });
});

describe('manualTarget', () => {
  test.each<[string, string | undefined, ManualTarget]>([
    ['ghcr.io/acme/shop:v1.2.3', undefined, { repository: 'ghcr.io/acme/shop', tag: 'v1.2.3' }],
    ['127.0.0.1:5000/shop:sha-0123456', undefined, { repository: '127.0.0.1:5000/shop', tag: 'sha-0123456' }],
    [`ghcr.io/acme/shop@${D}`, undefined, { repository: 'ghcr.io/acme/shop', digest: D }],
    [`127.0.0.1:5000/shop@${D}`, 'ghcr.io/other/app', { repository: '127.0.0.1:5000/shop', digest: D }],
    [D, 'ghcr.io/acme/shop', { repository: 'ghcr.io/acme/shop', digest: D }],
    ['sha-0123456', 'ghcr.io/acme/shop', { repository: 'ghcr.io/acme/shop', tag: 'sha-0123456' }],
    [' latest ', 'ghcr.io/acme/shop', { repository: 'ghcr.io/acme/shop', tag: 'latest' }]
  ])('%s (image %s)', (value, image, expected) => {
    expect(manualTarget(value, image)).toEqual(expected);
  });

  test.each<[string, string | undefined, RegExp]>([
    ['v1', undefined, /names no repository.*set `image`/],
    [D, undefined, /names no repository/],
    ['ghcr.io/acme/shop', undefined, /has no tag or digest/],
    ['127.0.0.1:5000/shop', undefined, /has no tag or digest/],
    ['ghcr.io/acme/shop@sha256:123', undefined, /no sha256 digest after "@"/],
    ['ghcr.io/Acme/shop:v1', undefined, /upper-case/],
    ['ghcr.io/acme/shop:-v1', undefined, /not a valid tag/]
  ])('%s is refused', (value, image, message) => {
    expect(() => manualTarget(value, image)).toThrow(message);
  });
});

test.each<[string | undefined, string]>([
  ['octocat', 'manual deploy by @octocat'],
  [undefined, 'manual deploy']
])('manualBy(%s)', (actor, expected) => {
  expect(manualBy(actor)).toBe(expected);
});
