import { tmpdir } from 'node:os';
import { buildConfig } from '../../src/config.js';
import { ConfigError } from '../../src/inputs.js';
import { imageNameProblem, registryOf } from '../../src/stages/image-name.js';
import { buildArgs, ociLabels, parseBuildArgs, type BuildPlan } from '../../src/stages/image-plan.js';
import { imageTags, parseSemver, tagNames, tagSafe } from '../../src/stages/image-tags.js';
import { deployBranchProblem, matchesBranch, whenToShip, type ShipInput } from '../../src/stages/ship-plan.js';

// Written from Docker's grammar (distribution/reference), independently of the implementation.
const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const PATH = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${PATH}(?:/${PATH})*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?$`);

const SHA = '0123456789abcdef0123456789abcdef01234567';
const base = { image: 'ghcr.io/acme/shop', sha: SHA, defaultBranch: 'main', eventName: 'push' };

describe('imageTags', () => {
  test.each<[string, string, string[]]>([
    ['default branch', 'refs/heads/main', ['sha-0123456', 'main', 'latest']],
    ['feature branch', 'refs/heads/feature/X', ['sha-0123456', 'feature-x']],
    ['nested branch', 'refs/heads/release/2024.06', ['sha-0123456', 'release-2024.06']],
    ['semver tag', 'refs/tags/v1.2.3', ['sha-0123456', '1.2.3', '1.2', '1']],
    ['semver tag without v', 'refs/tags/2.0.0', ['sha-0123456', '2.0.0', '2.0', '2']],
    ['prerelease', 'refs/tags/v1.2.3-rc.1', ['sha-0123456', '1.2.3-rc.1']],
    ['prerelease upper-case', 'refs/tags/v1.2.3-RC.1', ['sha-0123456', '1.2.3-rc.1']],
    ['build metadata', 'refs/tags/v1.2.3+build.7', ['sha-0123456', '1.2.3-build.7', '1.2', '1']],
    ['0.x release has no bare 0', 'refs/tags/v0.4.1', ['sha-0123456', '0.4.1', '0.4']],
    ['non-semver tag', 'refs/tags/Release_2024/June', ['sha-0123456', 'release_2024-june']],
    ['leading-zero version is not semver', 'refs/tags/v01.2.3', ['sha-0123456', 'v01.2.3']],
    ['a tag named latest', 'refs/tags/latest', ['sha-0123456']],
    ['pull request', 'refs/pull/42/merge', ['sha-0123456', 'pr-42']],
    ['unknown ref', 'refs/notes/x', ['sha-0123456']],
    ['branch impersonating latest', 'refs/heads/latest', ['sha-0123456', 'branch-latest']],
    ['branch impersonating a version', 'refs/heads/1.2', ['sha-0123456', 'branch-1.2']],
    ['branch impersonating the sha tag', 'refs/heads/sha-deadbee', ['sha-0123456', 'branch-sha-deadbee']],
    ['branch with only punctuation', 'refs/heads/---', ['sha-0123456']]
  ])('%s: %s', (_name, ref, expected) => {
    expect(imageTags({ ...base, ref })).toEqual(expected.map((tag) => `ghcr.io/acme/shop:${tag}`));
  });

  test('latest follows the configured default branch', () => {
    expect(tagNames({ ...base, ref: 'refs/heads/trunk', defaultBranch: 'trunk' })).toEqual(['sha-0123456', 'trunk', 'latest']);
    expect(tagNames({ ...base, ref: 'refs/heads/main', defaultBranch: 'trunk' })).not.toContain('latest');
  });

  test('the sha is lower-cased and must be hexadecimal', () => {
    expect(tagNames({ ...base, ref: 'refs/heads/x', sha: 'ABCDEF0123' })[0]).toBe('sha-abcdef0');
    expect(() => tagNames({ ...base, ref: 'refs/heads/x', sha: 'zzz' })).toThrow(/not hexadecimal/);
  });

  const hostile: [string, string | undefined][] = [
    ['$(reboot)', 'reboot'],
    ['`rm -rf /`', 'rm-rf'],
    ['a b\tc\nd', 'a-b-c-d'],
    ['feature/über-größe', 'feature-uber-gro-e'],
    ['日本語', undefined],
    ['🚀/launch', 'launch'],
    ['..hidden', 'hidden'],
    ['-dash-first', 'dash-first'],
    ['_under', '_under'],
    ['trailing.', 'trailing'],
    ['a'.repeat(200), 'a'.repeat(128)],
    [`${'x'.repeat(127)}/y`, 'x'.repeat(127)],
    ['x;y|z&&w', 'x-y-z-w'],
    ['semi:colon@at', 'semi-colon-at'],
    ['UPPER/Case', 'upper-case'],
    ['a//b', 'a-b'],
    ['%2e%2e', '2e-2e'],
    ['\u0000null', 'null'],
    ['ﬁ-ligature', 'fi-ligature']
  ];

  test.each(hostile)('hostile branch %j becomes a valid tag or none', (branch, expected) => {
    const refs = imageTags({ ...base, ref: `refs/heads/${branch}` });
    const tags = refs.map((ref) => ref.slice('ghcr.io/acme/shop:'.length));
    for (const tag of tags) expect(tag).toMatch(DOCKER_TAG);
    for (const ref of refs) expect(ref).toMatch(REFERENCE);
    expect(tags[0]).toBe('sha-0123456');
    expect(tags[1]).toBe(expected);
    expect(tags).toHaveLength(expected === undefined ? 1 : 2);
  });

  test('tagSafe never returns an invalid tag for arbitrary input', () => {
    // A deterministic sweep over awkward characters and lengths.
    const alphabet = ['a', 'Z', '9', '.', '-', '_', '/', ' ', 'é', '€', '\u200b', '$', '\\', ':', '@', '…'];
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const length = next() % 260;
      let value = '';
      for (let j = 0; j < length; j++) value += alphabet[next() % alphabet.length];
      const tag = tagSafe(value);
      if (tag !== '') expect(tag).toMatch(DOCKER_TAG);
    }
  });

  test('produced references are unique', () => {
    const refs = imageTags({ ...base, ref: 'refs/heads/main' });
    expect(new Set(refs).size).toBe(refs.length);
  });
});

describe('parseSemver', () => {
  test.each<[string, boolean]>([
    ['v1.2.3', true],
    ['1.2.3', true],
    ['v1.2.3-alpha.1', true],
    ['v1.2.3+exp.sha.5114f85', true],
    ['v1.2', false],
    ['v1.2.3.4', false],
    ['v01.2.3', false],
    ['version1', false],
    ['v1.2.3-', false]
  ])('%s → %s', (name, valid) => {
    expect(parseSemver(name) !== undefined).toBe(valid);
  });
});

const REJECTED_IMAGES: [string, RegExp][] = [
  ['', /is empty/],
  ['   ', /is empty/],
  ['Acme/Shop', /upper-case letters.*try "acme\/shop"/],
  ['ghcr.io/Acme/shop', /lower-case/],
  ['ghcr.io/acme/shop:1.0', /includes a tag/],
  ['acme/shop:latest', /includes a tag/],
  ['127.0.0.1:5000/app:v1', /includes a tag/],
  ['ghcr.io/acme/shop@sha256:' + 'a'.repeat(64), /includes a digest/],
  ['ghcr.io/', /empty repository path/],
  ['ghcr.io//shop', /empty path component/],
  ['acme/shop/', /empty path component/],
  ['https://ghcr.io/acme/shop', /is a URL/],
  ['acme/sh op', /whitespace/],
  ['acme/-shop', /not a valid path component/],
  ['acme/shop..x', /not a valid path component/],
  ['bad_host.io:port/app', /registry host/],
  [`acme/${'a'.repeat(260)}`, /limit is 255/]
];

describe('imageNameProblem', () => {
  test.each<[string]>([
    ['shop'],
    ['acme/shop'],
    ['docker.io/acme/shop'],
    ['ghcr.io/acme/shop'],
    ['ghcr.io/acme/team/shop'],
    ['127.0.0.1:5000/app'],
    ['localhost/app'],
    ['localhost:5000/a_b/c__d/e-f/g.h'],
    ['registry.example.com:443/acme/shop']
  ])('accepts %s', (image) => {
    expect(imageNameProblem(image)).toBeUndefined();
  });

  test.each<[string, RegExp]>(REJECTED_IMAGES)('rejects %j', (image, message) => {
    const error = imageNameProblem(image);
    expect(error).toBeDefined();
    expect(error).toMatch(message);
  });

  test.each(REJECTED_IMAGES.filter(([image]) => image.trim() !== ''))('config refuses %j, naming the input, before anything runs', async (image, message) => {
    const error = await buildConfig((name) => (name === 'image' ? image : ''), tmpdir()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^Input `image`: /);
    expect((error as Error).message).toMatch(message);
  });
});

describe('registryOf', () => {
  test.each<[string, string]>([
    ['shop', 'docker.io'],
    ['acme/shop', 'docker.io'],
    ['docker.io/acme/shop', 'docker.io'],
    ['index.docker.io/acme/shop', 'docker.io'],
    ['ghcr.io/acme/shop', 'ghcr.io'],
    ['127.0.0.1:5000/app', '127.0.0.1:5000'],
    ['localhost/app', 'localhost'],
    ['localhost:5000/app', 'localhost:5000'],
    ['registry.example.com/team/app', 'registry.example.com']
  ])('%s → %s', (image, registry) => {
    expect(registryOf(image)).toBe(registry);
  });
});

describe('ociLabels', () => {
  test('all five labels', () => {
    expect(
      ociLabels({
        sourceUrl: 'https://github.com/acme/shop',
        sha: SHA,
        created: '2025-01-02T03:04:05Z',
        version: '1.2.3',
        title: 'shop'
      })
    ).toEqual({
      'org.opencontainers.image.source': 'https://github.com/acme/shop',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.created': '2025-01-02T03:04:05Z',
      'org.opencontainers.image.version': '1.2.3',
      'org.opencontainers.image.title': 'shop'
    });
  });

  test('empty values are left out', () => {
    expect(ociLabels({ sha: SHA, title: ' ' })).toEqual({ 'org.opencontainers.image.revision': SHA });
  });
});

describe('parseBuildArgs', () => {
  test.each<[string, string | string[], { name: string; value: string }[]]>([
    ['empty', '', []],
    ['one', 'A=B', [{ name: 'A', value: 'B' }]],
    [
      'comments, blanks and CRLF',
      '# base image\r\nBASE=127.0.0.1:5000/base\r\n\r\n  VERSION = 1.2 \r\n',
      [
        { name: 'BASE', value: '127.0.0.1:5000/base' },
        { name: 'VERSION', value: '1.2' }
      ]
    ],
    ['value with =', 'OPTS=a=b=c', [{ name: 'OPTS', value: 'a=b=c' }]],
    ['empty value', 'EMPTY=', [{ name: 'EMPTY', value: '' }]],
    [
      'lines array',
      ['X=1', '#c', 'Y=2'],
      [
        { name: 'X', value: '1' },
        { name: 'Y', value: '2' }
      ]
    ]
  ])('%s', (_name, text, expected) => {
    expect(parseBuildArgs(text)).toEqual(expected);
  });

  test.each<[string, RegExp]>([
    ['A=1\nSECRETVALUE', /line 2 has no "="/],
    ['=value', /line 1 has an invalid name/],
    ['1A=x', /invalid name/],
    ['A-B=x', /invalid name/]
  ])('rejects %j naming the input', (text, message) => {
    expect(() => parseBuildArgs(text)).toThrow(/^Input `build-args`: /);
    expect(() => parseBuildArgs(text)).toThrow(message);
  });

  test('an error never repeats a line without "=" (it may be a secret)', () => {
    expect(() => parseBuildArgs('hunter2-password')).toThrow(
      expect.objectContaining({
        message: expect.not.stringContaining('hunter2') as unknown as string
      })
    );
  });
});

describe('buildArgs', () => {
  const plan: BuildPlan = {
    builder: 'classic',
    dockerfile: 'Dockerfile',
    context: '.',
    tags: ['r/app:sha-0123456', 'r/app:main'],
    labels: { 'org.opencontainers.image.revision': SHA },
    buildArgs: [{ name: 'BASE', value: 'r/base' }]
  };

  test.each<[string, BuildPlan, string[]]>([
    [
      'classic',
      plan,
      [
        'build',
        '-f',
        'Dockerfile',
        '-t',
        'r/app:sha-0123456',
        '-t',
        'r/app:main',
        '--label',
        `org.opencontainers.image.revision=${SHA}`,
        '--build-arg',
        'BASE=r/base',
        '.'
      ]
    ],
    [
      'classic ignores buildx-only fields',
      { ...plan, push: true, ghaCache: true, metadataFile: '/tmp/m.json', labels: {}, buildArgs: [] },
      ['build', '-f', 'Dockerfile', '-t', 'r/app:sha-0123456', '-t', 'r/app:main', '.']
    ],
    [
      'buildx push with gha cache and metadata',
      { ...plan, builder: 'buildx', push: true, ghaCache: true, metadataFile: '/tmp/m.json' },
      [
        'buildx',
        'build',
        '-f',
        'Dockerfile',
        '-t',
        'r/app:sha-0123456',
        '-t',
        'r/app:main',
        '--label',
        `org.opencontainers.image.revision=${SHA}`,
        '--build-arg',
        'BASE=r/base',
        '--provenance=false',
        '--push',
        '--cache-from',
        'type=gha',
        '--cache-to',
        'type=gha,mode=max',
        '--metadata-file',
        '/tmp/m.json',
        '.'
      ]
    ],
    [
      'buildx load without cache',
      { ...plan, builder: 'buildx', push: false, labels: undefined, buildArgs: undefined },
      ['buildx', 'build', '-f', 'Dockerfile', '-t', 'r/app:sha-0123456', '-t', 'r/app:main', '--provenance=false', '--load', '.']
    ],
    [
      'a context that looks like a flag',
      { ...plan, context: '--privileged', labels: {}, buildArgs: [] },
      ['build', '-f', 'Dockerfile', '-t', 'r/app:sha-0123456', '-t', 'r/app:main', './--privileged']
    ],
    [
      'values with spaces and shell characters stay one argument',
      { ...plan, buildArgs: [{ name: 'MSG', value: 'a b; $(x)' }], labels: {} },
      ['build', '-f', 'Dockerfile', '-t', 'r/app:sha-0123456', '-t', 'r/app:main', '--build-arg', 'MSG=a b; $(x)', '.']
    ]
  ])('%s', (_name, input, expected) => {
    expect(buildArgs(input)).toEqual(expected);
  });

  test('needs a tag', () => {
    expect(() => buildArgs({ ...plan, tags: [] })).toThrow(/at least one tag/);
  });
});

describe('matchesBranch', () => {
  test.each<[string, string[], boolean]>([
    ['main', ['main'], true],
    ['main', ['refs/heads/main'], true],
    ['mainline', ['main'], false],
    ['release/1.0', ['release/*'], true],
    ['release/1.0/hotfix', ['release/*'], false],
    ['release/1.0/hotfix', ['release/**'], true],
    ['release-1', ['release-?'], true],
    ['staging', ['main', ' staging ', ''], true],
    ['a.b', ['a?b'], true],
    ['axb', ['a.b'], false],
    ['x', ['# x'], false],
    // The same rules as file globs: `**/` also matches no folder, dot names are names, parentheses are literal.
    ['hotfix', ['**/hotfix'], true],
    ['team/a/hotfix', ['**/hotfix'], true],
    ['feature/.x', ['feature/*'], true],
    ['fix(ui)+x', ['fix(ui)+x'], true],
    ['fixui', ['fix(ui)'], false]
  ])('%s in %j → %s', (branch, patterns, expected) => {
    expect(matchesBranch(branch, patterns)).toBe(expected);
  });
});

describe('deployBranchProblem', () => {
  test.each<[string, RegExp | undefined]>([
    ['main', undefined],
    ['release/**', undefined],
    ['refs/heads/main', undefined],
    ['main,develop', /holds several branches; give one branch a line/],
    ['main, develop', /one branch a line/],
    ['main develop', /one branch a line/],
    ['!main', /is a negation, which is not supported/],
    ['!release/*', /not supported/]
  ])('%j → %s', (line, problem) => {
    if (problem) expect(deployBranchProblem(line)).toMatch(problem);
    else expect(deployBranchProblem(line)).toBeUndefined();
  });
});

describe('whenToShip', () => {
  const push: ShipInput = {
    eventName: 'push',
    ref: 'refs/heads/main',
    defaultBranch: 'main',
    deployBranches: [],
    buildOnPullRequest: false,
    testsPassed: true,
    image: 'ghcr.io/acme/shop'
  };
  const ship = { build: true, push: true, deploy: true };
  const none = { build: false, push: false, deploy: false };

  test.each<[string, Partial<ShipInput>, { build: boolean; push: boolean; deploy: boolean }, RegExp]>([
    ['push to the default branch', {}, ship, /deploy branch `main` and tests passed/],
    ['no image', { image: undefined }, none, /No `image` input/],
    ['blank image', { image: '  ' }, none, /No `image` input/],
    ['tests failed', { testsPassed: false }, none, /tests failed/],
    ['push to another branch', { ref: 'refs/heads/feature/x' }, none, /`feature\/x` is not a deploy branch \(main\)/],
    ['deploy-branches replaces the default', { deployBranches: ['staging'] }, none, /not a deploy branch \(staging\)/],
    ['glob deploy branch', { ref: 'refs/heads/release/2.0', deployBranches: ['main', 'release/*'] }, ship, /release\/2.0/],
    ['blank deploy-branches lines mean the default', { deployBranches: [''] }, ship, /main/],
    ['comment-only deploy-branches mean the default', { deployBranches: ['# none'] }, ship, /main/],
    ['version tag', { ref: 'refs/tags/v1.2.3' }, ship, /version tag `v1.2.3`/],
    ['prerelease version tag', { ref: 'refs/tags/v2.0.0-rc.1' }, ship, /version tag/],
    ['version tag with failed tests', { ref: 'refs/tags/v1.2.3', testsPassed: false }, none, /tests failed/],
    ['non-version tag', { ref: 'refs/tags/nightly' }, none, /not a version tag/],
    ['tag without v', { ref: 'refs/tags/1.2.3' }, none, /not a version tag/],
    ['pull request, build off', { eventName: 'pull_request', ref: 'refs/pull/1/merge' }, none, /pull request.*build-on-pull-request/],
    [
      'pull request, build on',
      { eventName: 'pull_request', ref: 'refs/pull/1/merge', buildOnPullRequest: true },
      { build: true, push: false, deploy: false },
      /built to check the Dockerfile, but not pushed/
    ],
    [
      'pull request to a deploy branch never pushes',
      { eventName: 'pull_request_target', ref: 'refs/heads/main', buildOnPullRequest: true },
      { build: true, push: false, deploy: false },
      /not pushed or deployed/
    ],
    ['pull request, tests failed', { eventName: 'pull_request', buildOnPullRequest: true, testsPassed: false }, none, /tests failed/],
    ['workflow_dispatch', { eventName: 'workflow_dispatch' }, none, /`workflow_dispatch`/],
    ['schedule', { eventName: 'schedule' }, none, /only for a push/],
    ['odd ref', { ref: 'refs/notes/x' }, none, /neither a branch nor a tag/]
  ])('%s', (_name, change, expected, reason) => {
    const decision = whenToShip({ ...push, ...change });
    expect({ build: decision.build, push: decision.push, deploy: decision.deploy }).toEqual(expected);
    expect(decision.reason).toMatch(reason);
    expect(decision.reason).toMatch(/^[A-Z].*\.$/); // a sentence
  });
});
