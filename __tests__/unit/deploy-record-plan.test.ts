// The GitHub Deployments a deploy is recorded as: which Deployment, which statuses, which URLs, the warning.
import { describe, expect, test } from '@jest/globals';
import type { DeploymentState } from '../../src/ports.js';
import {
  clip,
  deploymentRequest,
  environmentUrl,
  recordWarning,
  rollbackRef,
  shortReference,
  statusRequest,
  type RecordedImage,
  type RecordFacts
} from '../../src/stages/deploy-record-plan.js';

const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';
const OLD_SHA = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
const IMAGE = `ghcr.io/acme/shop@sha256:${'ab'.repeat(32)}`;
const RUN = 'https://github.com/acme/shop/actions/runs/42';
const facts = (more: Partial<RecordFacts> = {}): RecordFacts => ({
  environment: 'production',
  healthUrl: 'https://shop.example.com/health',
  runUrl: RUN,
  sha: SHA,
  ...more
});

describe('deploymentRequest', () => {
  test.each<[string, Partial<RecordFacts>, RecordedImage, ReturnType<typeof deploymentRequest>]>([
    [
      'the new image: this commit, production',
      {},
      { reference: IMAGE },
      { ref: SHA, environment: 'production', description: 'Deploy ghcr.io/acme/shop@sha256:abababababab', productionEnvironment: true }
    ],
    [
      'another environment is not production',
      { environment: 'staging' },
      { reference: IMAGE },
      { ref: SHA, environment: 'staging', description: 'Deploy ghcr.io/acme/shop@sha256:abababababab', productionEnvironment: false }
    ],
    [
      'a rollback: the old image’s commit',
      {},
      { reference: IMAGE, rollback: true, revision: OLD_SHA },
      {
        ref: OLD_SHA,
        environment: 'production',
        description: 'Rollback to ghcr.io/acme/shop@sha256:abababababab, the last image that passed the health check',
        productionEnvironment: true
      }
    ],
    [
      'a rollback to an image of unknown commit: this commit',
      {},
      { reference: IMAGE, rollback: true },
      {
        ref: SHA,
        environment: 'production',
        description: 'Rollback to ghcr.io/acme/shop@sha256:abababababab, the last image that passed the health check',
        productionEnvironment: true
      }
    ]
  ])('%s', (_name, more, image, expected) => {
    expect(deploymentRequest(facts(more), image)).toEqual(expected);
  });

  test('a long image name still gives a description of at most 140 characters', () => {
    const long = `registry.example.com/${'team/'.repeat(40)}shop@sha256:${'cd'.repeat(32)}`;
    expect(deploymentRequest(facts(), { reference: long, rollback: true }).description).toHaveLength(140);
  });
});

describe('statusRequest', () => {
  test.each<[string, DeploymentState, Partial<RecordFacts>, ReturnType<typeof statusRequest>]>([
    ['in progress: the log, no URL yet', 'in_progress', {}, { state: 'in_progress', description: 'why', logUrl: RUN, environmentUrl: undefined }],
    ['success: the health URL’s origin', 'success', {}, { state: 'success', description: 'why', logUrl: RUN, environmentUrl: 'https://shop.example.com' }],
    [
      'success: environment-url wins',
      'success',
      { environmentUrl: 'https://www.example.com/' },
      { state: 'success', description: 'why', logUrl: RUN, environmentUrl: 'https://www.example.com/' }
    ],
    ['failure: nothing to visit', 'failure', { environmentUrl: 'https://www.example.com/' }, { state: 'failure', description: 'why', logUrl: RUN }],
    ['error: nothing to visit', 'error', {}, { state: 'error', description: 'why', logUrl: RUN }],
    ['outside Actions: no log link', 'success', { runUrl: undefined, healthUrl: undefined }, { state: 'success', description: 'why' }]
  ])('%s', (_name, state, more, expected) => {
    expect(statusRequest(facts(more), state, 'why')).toEqual(expected);
  });

  test('the description is one line of at most 140 characters', () => {
    const status = statusRequest(facts(), 'failure', `first line\n  second ${'x'.repeat(200)}`);
    expect(status.description).toHaveLength(140);
    expect(status.description).toMatch(/^first line second x+…$/);
  });
});

describe('environmentUrl', () => {
  test.each<[string, string | undefined, string | undefined, string | undefined]>([
    ['environment-url as given', 'https://shop.example.com/app', 'https://internal.example.com/health', 'https://shop.example.com/app'],
    ['else the health URL’s origin: port kept, path and query left out', undefined, 'http://127.0.0.1:8080/health?deep=1', 'http://127.0.0.1:8080'],
    ['neither', undefined, undefined, undefined],
    ['a health URL that does not parse', undefined, 'not a url', undefined]
  ])('%s', (_name, given, health, expected) => {
    expect(environmentUrl({ environmentUrl: given, healthUrl: health })).toBe(expected);
  });
});

describe('rollbackRef', () => {
  test.each<[string | undefined, string]>([
    [OLD_SHA, OLD_SHA],
    ['a94a8fe', 'a94a8fe'],
    [OLD_SHA.toUpperCase(), OLD_SHA.toUpperCase()],
    [undefined, SHA],
    ['', SHA],
    ['v1.2.3', SHA],
    ['a94a8f', SHA],
    [`${OLD_SHA}0`, SHA]
  ])('revision %j → %s', (revision, expected) => {
    expect(rollbackRef(revision, SHA)).toBe(expected);
  });
});

describe('shortReference and clip', () => {
  test.each<[string, string]>([
    [IMAGE, 'ghcr.io/acme/shop@sha256:abababababab'],
    ['127.0.0.1:5000/shop@sha256:0123', '127.0.0.1:5000/shop@sha256:0123'],
    ['ghcr.io/acme/shop:latest', 'ghcr.io/acme/shop:latest']
  ])('%s → %s', (reference, expected) => {
    expect(shortReference(reference)).toBe(expected);
  });

  test.each<[string, string, number]>([
    ['short stays', 'short stays', 140],
    ['  padded\r\n lines  ', 'padded lines', 140],
    ['abcdef', 'abcd…', 5],
    ['abcde', 'abcde', 5]
  ])('clip(%j)', (text, expected, max) => {
    expect(clip(text, max)).toBe(expected);
  });
});

describe('recordWarning', () => {
  test.each<[string, { message: string; permission?: string }, string]>([
    [
      'a refusal names the permission to grant',
      { message: 'creating the deployment failed (HTTP 403): Resource not accessible by integration', permission: 'deployments: write' },
      'The deploy is not recorded as a GitHub Deployment: creating the deployment failed (HTTP 403): Resource not accessible by integration. ' +
        'The token lacks `deployments: write`: add `permissions: deployments: write` to the job (with `contents: read`). The deploy itself goes on.'
    ],
    [
      'a failure without a known cause says what failed',
      { message: 'setting the deployment status failed: connect ECONNREFUSED 127.0.0.1:1.' },
      'The deploy is not recorded as a GitHub Deployment: setting the deployment status failed: connect ECONNREFUSED 127.0.0.1:1. The deploy itself goes on.'
    ]
  ])('%s', (_name, error, expected) => {
    expect(recordWarning(error)).toBe(expected);
  });
});
