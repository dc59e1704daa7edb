// poetry's constraints as PEP 508 requirements, and tox's deps lines as pip arguments.
import { describe, expect, test } from '@jest/globals';
import * as pep440 from '@renovatebot/pep440';
import { poetryRequirement, poetryVersion } from '../../src/ecosystems/python/declared-poetry.js';
import { runnerDeps } from '../../src/ecosystems/python/declared-tox.js';

describe('poetryVersion', () => {
  test.each([
    ['^1.2.3', '>=1.2.3,<2.0.0'],
    ['^1.2', '>=1.2,<2.0'],
    ['^1', '>=1,<2'],
    ['^0.2.3', '>=0.2.3,<0.3.0'],
    ['^0.0.3', '>=0.0.3,<0.0.4'],
    ['^0', '>=0,<1'],
    ['^0.0', '>=0.0,<0.1'],
    ['~1.2.3', '>=1.2.3,<1.3.0'],
    ['~1.2', '>=1.2,<1.3'],
    ['~1', '>=1,<2'],
    ['~=1.2', '~=1.2'],
    ['>=1,<2', '>=1,<2'],
    ['>=1 <2', '>=1,<2'],
    ['>= 1.0, < 2.0', '>=1.0,<2.0'],
    ['1.2.3', '==1.2.3'],
    ['1.2.*', '==1.2.*'],
    ['=1.2', '==1.2'],
    ['!=1.5', '!=1.5'],
    ['*', ''],
    ['', ''],
    ['^1.0 || ^2.0', '']
  ])('%j → %j', (constraint, specifier) => {
    expect(poetryVersion(constraint)).toBe(specifier);
  });

  test('property: the version itself satisfies ^v and ~v, the next release of the part that may not change does not', () => {
    let seed = 11;
    const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let run = 0; run < 300; run++) {
      const parts = Array.from({ length: 1 + next(3) }, () => (next(3) === 0 ? 0 : next(20)));
      const version = parts.join('.');
      for (const op of ['^', '~']) {
        const specifier = poetryVersion(`${op}${version}`);
        expect(pep440.satisfies(version, specifier)).toBe(true);
        const fixed =
          op === '^'
            ? Math.max(
                0,
                parts.findIndex((p) => p !== 0)
              )
            : parts.length === 1
              ? 0
              : 1;
        const bumped = parts.map((p, i) => (i === Math.min(fixed, parts.length - 1) ? p + 1 : i > fixed ? 0 : p)).join('.');
        if (!(op === '^' && parts.every((p) => p === 0))) expect(pep440.satisfies(bumped, specifier)).toBe(false);
      }
    }
  });
});

describe('poetryRequirement', () => {
  test.each<[string, unknown, string | undefined]>([
    ['pytest', '^8', 'pytest>=8,<9'],
    ['pytest-cov', { version: '^5.0', extras: ['toml'] }, 'pytest-cov[toml]>=5.0,<6.0'],
    ['mock', { version: '*', markers: 'python_version < "3.8"' }, 'mock ; python_version < "3.8"'],
    ['tool', { git: 'https://example.com/tool.git', tag: 'v1' }, 'tool @ git+https://example.com/tool.git@v1'],
    ['wheel-dep', { url: 'https://example.com/x-1.0-py3-none-any.whl' }, 'wheel-dep @ https://example.com/x-1.0-py3-none-any.whl'],
    ['local', { path: '../local', develop: true }, undefined],
    [
      'many',
      [
        { version: '^1', python: '<3.9' },
        { version: '^2', python: '>=3.9' }
      ],
      'many>=1,<2'
    ]
  ])('%s = %j', (name, spec, requirement) => {
    expect(poetryRequirement(name, spec)).toBe(requirement);
  });
});

describe('runnerDeps (tox deps lines)', () => {
  test.each<[string[], Partial<ReturnType<typeof runnerDeps>>]>([
    [
      ['pytest>=7', '-r{toxinidir}/requirements-test.txt', '-r requirements.txt'],
      { requirements: ['pytest>=7'], files: ['requirements-test.txt', 'requirements.txt'] }
    ],
    [['--requirement=./req.txt', '-c{tox_root}/c.txt', '--constraint c2.txt'], { files: ['req.txt'], constraints: ['c.txt', 'c2.txt'] }],
    [['py38: mock', '!py38: other', 'py311,py312: x', '{env:EXTRA_DEP}', '# a comment', '-e .', '.[test]', '--pre'], { requirements: [], files: [] }],
    [
      ['hypothesis  # property tests', 'requests[socks] ; python_version >= "3.8"'],
      { requirements: ['hypothesis', 'requests[socks] ; python_version >= "3.8"'] }
    ]
  ])('%j', (lines, expected) => {
    expect(runnerDeps('tox.ini [testenv]', lines)).toMatchObject(expected);
  });
});
