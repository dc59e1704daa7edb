// Where a finding is annotated: the manifest line naming the package, else the line of the direct
// dependency pulling it in (npm lockfile), else the manifest.
import { describe, expect, test } from '@jest/globals';
import { installedNodePackages } from '../../src/ecosystems/node/installed.js';
import { metadataRequires } from '../../src/ecosystems/python/installed.js';
import { fakeFiles } from '../fixtures/fake-ports.js';
import { declaredAt, lineNaming, npmDirect, npmPulledInBy, pulledInBy } from '../../src/reports/declared.js';

const REQUIREMENTS = ['# app', '-r base.txt', 'Flask[async]>=2.0 ; python_version > "3.8"', 'markupsafe==2.1.0', 'six', 'requests-oauthlib~=1.3'].join('\n');
const PYPROJECT = [
  '[project]',
  'name = "shop"',
  'dependencies = [',
  '  "jinja2>=3",',
  "  'Werkzeug==2.0.0',",
  ']',
  '[tool.poetry.dependencies]',
  'python = "^3.11"',
  'click = "^8"'
].join('\n');
const PACKAGE_JSON = [
  '{',
  '  "name": "minimist",',
  '  "scripts": { "lodash": "x" },',
  '  "dependencies": {',
  '    "express": "^4",',
  '    "minimist": "1.2.5"',
  '  },',
  '  "devDependencies": {',
  '    "@scope/tool": "1"',
  '  }',
  '}'
].join('\n');

describe('the line naming a package', () => {
  test.each([
    ['requirements.txt', REQUIREMENTS, 'flask', 3],
    ['requirements.txt', REQUIREMENTS, 'MarkupSafe', 4],
    ['requirements.txt', REQUIREMENTS, 'six', 5],
    ['requirements.txt', REQUIREMENTS, 'requests_oauthlib', 6],
    ['requirements.txt', REQUIREMENTS, 'requests', undefined],
    ['requirements.txt', REQUIREMENTS, 'base', undefined],
    ['pyproject.toml', PYPROJECT, 'jinja2', 4],
    ['pyproject.toml', PYPROJECT, 'werkzeug', 5],
    ['pyproject.toml', PYPROJECT, 'click', 9],
    ['pyproject.toml', PYPROJECT, 'shop', undefined],
    ['pyproject.toml', PYPROJECT, 'python', undefined]
  ])('%s names %s on line %s', (path, text, name, line) => {
    expect(lineNaming('PyPI', name, { path, text })).toBe(line);
  });

  test.each([
    ['express', 5],
    ['minimist', 6],
    ['@scope/tool', 9],
    ['lodash', undefined]
  ])('package.json names %s on line %s', (name, line) => {
    expect(lineNaming('npm', name, { path: 'package.json', text: PACKAGE_JSON })).toBe(line);
  });
});

describe('transitive npm packages', () => {
  const lock = JSON.stringify({
    lockfileVersion: 3,
    packages: {
      '': { dependencies: { express: '^4', minimist: '1.2.5' } },
      'node_modules/express': { version: '4.0.0', dependencies: { 'body-parser': '1' } },
      'node_modules/body-parser': { version: '1.0.0', dependencies: { qs: '6' } },
      'node_modules/express/node_modules/qs': { version: '6.0.0' },
      'node_modules/minimist': { version: '1.2.5' }
    }
  });

  test('the direct dependency that pulls a package in', () => {
    expect(npmDirect(PACKAGE_JSON)).toEqual(['express', 'minimist', '@scope/tool']);
    expect(npmPulledInBy(lock, ['express', 'minimist'], 'qs')).toBe('express');
    expect(npmPulledInBy(lock, ['express', 'minimist'], 'left-pad')).toBeUndefined();
    expect(npmPulledInBy('not json', ['express'], 'qs')).toBeUndefined();
  });

  test.each([
    ['minimist', undefined, { path: 'package.json', line: 6 }],
    ['qs', 'express', { path: 'package.json', line: 5, via: 'express' }],
    ['qs', undefined, { path: 'package.json' }]
  ])('%s (via %s) is annotated at %j', (name, via, where) => {
    expect(declaredAt('npm', name, [{ path: 'package.json', text: PACKAGE_JSON }], via)).toEqual(where);
  });

  test('no manifest: nowhere', () => expect(declaredAt('PyPI', 'x', [])).toBeUndefined());
});

describe('transitive Python packages', () => {
  test('Requires-Dist by PEP 503 name, without the extras', () => {
    const metadata = [
      'Metadata-Version: 2.1',
      'Name: Flask',
      'Version: 2.0.0',
      'Requires-Dist: Werkzeug>=2.0',
      'Requires-Dist: Jinja2 (>=3.0)',
      'Requires-Dist: itsdangerous>=2.0 ; python_version >= "3.7"',
      'Requires-Dist: asgiref>=3.2 ; extra == "async"',
      'Requires-Dist: werkzeug',
      '',
      'Requires-Dist: in-the-description'
    ].join('\n');
    expect(metadataRequires(metadata)).toEqual(['werkzeug', 'jinja2', 'itsdangerous']);
  });

  test.each([
    ['markupsafe', ['six', 'flask'], 'flask'],
    ['werkzeug', ['flask'], 'flask'],
    ['click', ['flask'], undefined],
    ['loop', ['a'], undefined]
  ])('%s is pulled in by %s → %s', (name, direct, via) => {
    const graph: Record<string, string[]> = { flask: ['werkzeug', 'jinja2'], jinja2: ['markupsafe'], a: ['b'], b: ['a'] };
    expect(pulledInBy((n) => graph[n] ?? [], direct, name)).toBe(via);
  });
});

test('installed Node packages carry what they depend on (pnpm store included)', () => {
  const pkg = (name: string, version: string, dependencies?: Record<string, string>): string => JSON.stringify({ name, version, dependencies });
  const files = fakeFiles({
    '/p/node_modules/.pnpm/express@4.0.0/node_modules/express/package.json': pkg('express', '4.0.0', { 'body-parser': '1', qs: '6' }),
    '/p/node_modules/.pnpm/qs@6.0.0/node_modules/qs/package.json': pkg('qs', '6.0.0')
  });
  expect(installedNodePackages('/p', false, files)).toEqual([
    { name: 'express', version: '4.0.0', ecosystem: 'npm', requires: ['body-parser', 'qs'] },
    { name: 'qs', version: '6.0.0', ecosystem: 'npm' }
  ]);
});
