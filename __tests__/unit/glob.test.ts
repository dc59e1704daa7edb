import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { expect, test } from '@jest/globals';
import { globFiles, globToRegExp, matchesGlob } from '../../src/glob.js';

test.each<[string, string, boolean]>([
  ['requirements*.txt', 'requirements-dev.txt', true],
  ['requirements*.txt', 'sub/requirements.txt', false],
  ['**/requirements*.txt', 'requirements.txt', true],
  ['**/requirements*.txt', 'a/b/requirements.txt', true],
  ['reports/**', 'reports/a/b.xml', true],
  ['test-?.xml', 'test-1.xml', true],
  ['test-?.xml', 'test-10.xml', false],
  ['a.b', 'aXb', false],
  ['(x)+[y].txt', '(x)+[y].txt', true]
])('%s matches %s: %s', (pattern, path, expected) => {
  expect(globToRegExp(pattern).test(path)).toBe(expected);
});

test('globFiles walks the tree, honours exclusions and skips tool folders', () => {
  const root = mkdtempSync(join(tmpdir(), 'slipway-glob-'));
  for (const file of ['requirements.txt', 'req/dev.txt', 'req/prod.txt', 'node_modules/x/requirements.txt', '.venv/requirements.txt']) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), '');
  }
  const rel = (files: string[]) => files.map((f) => relative(root, f));
  expect(rel(globFiles(root, '**/*.txt'))).toEqual(['req/dev.txt', 'req/prod.txt', 'requirements.txt']);
  expect(rel(globFiles(root, 'req/*.txt', ['!req/prod.txt']))).toEqual(['req/dev.txt']);
  expect(rel(globFiles(root, join(root, 'requirements.txt')))).toEqual(['requirements.txt']);
  expect(globFiles(root, 'nothing*.lock')).toEqual([]);
});

test.each<[string, string[], boolean]>([
  ['release/1.0', ['main', 'release/*'], true],
  ['hotfix', ['**/hotfix'], true],
  ['.github/x.yml', ['**/*.yml'], true],
  ['main', [], false]
])('matchesGlob(%j, %j) is %s', (path, patterns, expected) => {
  expect(matchesGlob(path, patterns)).toBe(expected);
});
