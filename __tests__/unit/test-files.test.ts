// Which files count as tests (the runners' default conventions), and the bounded walk that finds them.
import { describe, expect, test } from '@jest/globals';
import type { ProjectFiles } from '../../src/ecosystems/ecosystem.js';
import { findTestFiles, isNodeTestFile, isPythonTestFile } from '../../src/ecosystems/test-files.js';
import { nothingTestedVerdict } from '../../src/stages/nothing-tested.js';

/** An in-memory tree from a list of relative file paths. */
function tree(paths: string[]): ProjectFiles {
  const children = (dir: string, folders: boolean): string[] => {
    const prefix = dir === '' ? '' : `${dir}/`;
    const names = paths
      .filter((p) => p.startsWith(prefix))
      .map((p) => p.slice(prefix.length).split('/'))
      .filter((parts) => (folders ? parts.length > 1 : parts.length === 1))
      .map((parts) => parts[0]!);
    return [...new Set(names)];
  };
  return { list: (dir) => children(dir, false), listDirs: (dir) => children(dir, true), read: () => undefined };
}

describe('Python test files', () => {
  test.each([
    ['tests/test_app.py', true],
    ['test_app.py', true],
    ['pkg/app_test.py', true],
    ['polls/tests.py', true],
    ['tests/__init__.py', false],
    ['tests/conftest.py', false],
    ['app.py', false],
    ['tests/test_app.txt', false]
  ])('%s → %s', (path, expected) => expect(isPythonTestFile(path)).toBe(expected));
});

describe('Node test files', () => {
  test.each([
    ['src/sum.test.js', true],
    ['src/sum.spec.ts', true],
    ['src/sum-test.mjs', true],
    ['lib/sum_test.cjs', true],
    ['src/__tests__/sum.tsx', true],
    ['test/sum.js', true],
    ['tests/helpers/setup.ts', true],
    ['test.js', true],
    ['src/sum.js', false],
    ['src/testing.js', false],
    ['types/sum.test.d.ts', false],
    ['test/fixture.json', false]
  ])('%s → %s', (path, expected) => expect(isNodeTestFile(path)).toBe(expected));
});

describe('finding test files', () => {
  test('shallow first, sorted, skipping environments, build output and hidden folders', () => {
    const files = tree([
      'tests/unit/test_deep.py',
      'tests/test_b.py',
      'tests/test_a.py',
      'test_top.py',
      '.venv/lib/test_x.py',
      'venv/lib/test_x.py',
      'node_modules/p/test_x.py',
      'build/lib/test_x.py',
      'app.py'
    ]);
    expect(findTestFiles(files, isPythonTestFile)).toEqual({
      files: ['test_top.py', 'tests/test_a.py', 'tests/test_b.py', 'tests/unit/test_deep.py'],
      more: false
    });
  });

  test('stops at the limit and says there are more', () => {
    const files = tree([...Array(30).keys()].map((i) => `tests/test_${String(i).padStart(2, '0')}.py`));
    const found = findTestFiles(files, isPythonTestFile, 5);
    expect(found).toEqual({ files: ['tests/test_00.py', 'tests/test_01.py', 'tests/test_02.py', 'tests/test_03.py', 'tests/test_04.py'], more: true });
  });

  test('visits at most maxFolders folders', () => {
    const files = tree(['a/b/c/d/test_deep.py', 'a/test_shallow.py']);
    expect(findTestFiles(files, isPythonTestFile, 20, 2).files).toEqual(['a/test_shallow.py']);
  });
});

describe('the verdict when nothing was tested', () => {
  test('no test files: none (the stage keeps its warning)', () => {
    expect(nothingTestedVerdict({ files: [], more: false }, ['pytest collected no test'])).toBeUndefined();
  });

  test.each([
    [{ files: ['tests/test_a.py'], more: false }, 'ran 0 tests, but the project has 1 test file (tests/test_a.py)'],
    [{ files: ['a.test.js', 'b.test.js'], more: false }, 'ran 0 tests, but the project has 2 test files (a.test.js, b.test.js)'],
    [{ files: ['a', 'b', 'c', 'd'], more: false }, 'ran 0 tests, but the project has 4 test files (a, b, c, …)'],
    [{ files: ['a', 'b'], more: true }, 'ran 0 tests, but the project has 2+ test files (a, b, …)']
  ])('%j → %s', (found, headline) => {
    const verdict = nothingTestedVerdict(found, ['pytest collected no test']);
    expect(verdict).toMatchObject({ status: 'failure', headline });
    expect(verdict?.details?.[0]).toBe('pytest collected no test');
  });
});
