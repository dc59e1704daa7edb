import { describe, expect, test } from '@jest/globals';
import { withReportOptions } from '../../src/ecosystems/known-runners.js';
import type { CoverageResult } from '../../src/model.js';
import { mergeCoverage, notRunLines, planTiers, stopsTiers, tiersExitCode } from '../../src/stages/test-tiers.js';

const DIR = '/run/reports';

describe('planTiers', () => {
  test.each<[string, string[][] | undefined, { label: string; command?: string[]; reportDir: string }[]]>([
    ['no test-command: the detected command', undefined, [{ label: '', reportDir: DIR }]],
    ['an empty list: the detected command', [], [{ label: '', reportDir: DIR }]],
    ['one line: one command, reports where they always were', [['make', 'test']], [{ label: '', command: ['make', 'test'], reportDir: DIR }]],
    [
      'three lines: three tiers in order, each its own report folder',
      [
        ['pytest', 'tests/unit'],
        ['pytest', 'tests/integration'],
        ['npm', 'run', 'e2e']
      ],
      [
        { label: 'tier 1 of 3', command: ['pytest', 'tests/unit'], reportDir: `${DIR}/tier-1` },
        { label: 'tier 2 of 3', command: ['pytest', 'tests/integration'], reportDir: `${DIR}/tier-2` },
        { label: 'tier 3 of 3', command: ['npm', 'run', 'e2e'], reportDir: `${DIR}/tier-3` }
      ]
    ]
  ])('%s', (_name, commands, expected) => {
    expect(planTiers(commands, DIR)).toEqual(expected);
  });
});

describe('stopping and the verdict', () => {
  test.each<[number, boolean]>([
    [0, false],
    [5, false],
    [1, true],
    [2, true],
    [137, true]
  ])('exit %i stops the later tiers: %s', (code, stops) => {
    expect(stopsTiers(code)).toBe(stops);
  });
  test.each<[number[], number]>([
    [[], 0],
    [[0], 0],
    [[0, 0], 0],
    [[0, 1], 1],
    [[2], 2],
    [[5, 0], 0],
    [[0, 5], 5]
  ])('tiers exiting %j: verdict %i', (codes, verdict) => {
    expect(tiersExitCode(codes)).toBe(verdict);
  });
  test('the tiers after the failing one are listed as not run', () => {
    const tiers = planTiers([['a'], ['b', '-x'], ['c']], DIR);
    expect(notRunLines(tiers, 0)).toEqual(['Not run (tier 1 of 3 failed): tier 2 of 3: b -x', 'Not run (tier 1 of 3 failed): tier 3 of 3: c']);
    expect(notRunLines(tiers, 2)).toEqual([]);
  });
});

const cov = (files: CoverageResult['files']): CoverageResult => {
  const linesValid = files.reduce((s, f) => s + f.linesValid, 0);
  const linesCovered = files.reduce((s, f) => s + f.linesCovered, 0);
  return { percent: Math.round((linesCovered / linesValid) * 1000) / 10, linesValid, linesCovered, files };
};

describe('mergeCoverage', () => {
  const unit = cov([
    { path: 'app.py', linesValid: 4, linesCovered: 2, percent: 50, lines: { covered: [1, 2], missed: [3, 4] } },
    { path: 'db.py', linesValid: 2, linesCovered: 0, percent: 0, lines: { covered: [], missed: [1, 2] } }
  ]);
  const integration = cov([
    { path: 'app.py', linesValid: 4, linesCovered: 2, percent: 50, lines: { covered: [2, 3], missed: [1, 4] } },
    { path: 'db.py', linesValid: 2, linesCovered: 2, percent: 100, lines: { covered: [1, 2], missed: [] } }
  ]);
  test('none and one pass through', () => {
    expect(mergeCoverage([])).toBeUndefined();
    expect(mergeCoverage([unit])).toBe(unit);
  });
  test('a line covered by any tier is covered', () => {
    const merged = mergeCoverage([unit, integration])!;
    expect(merged.files).toEqual([
      { path: 'app.py', linesValid: 4, linesCovered: 3, percent: 75, lines: { covered: [1, 2, 3], missed: [4] } },
      { path: 'db.py', linesValid: 2, linesCovered: 2, percent: 100, lines: { covered: [1, 2], missed: [] } }
    ]);
    expect(merged).toMatchObject({ linesValid: 6, linesCovered: 5, percent: 83.3 });
  });
  test('files only one tier measured are kept; without line lists the best tier stands', () => {
    const a = cov([{ path: 'a.js', linesValid: 10, linesCovered: 4, percent: 40 }]);
    const b = cov([
      { path: 'a.js', linesValid: 10, linesCovered: 7, percent: 70 },
      { path: 'b.js', linesValid: 10, linesCovered: 10, percent: 100 }
    ]);
    expect(mergeCoverage([a, b])).toMatchObject({ linesValid: 20, linesCovered: 17, percent: 85 });
  });
});

describe('withReportOptions (a test-command line of a known runner)', () => {
  const known = { reportDir: DIR, coverage: true, pytestCov: true };
  test.each<[string, string[], typeof known, string[] | undefined]>([
    ['unknown program', ['make', 'test'], known, undefined],
    [
      'pytest with pytest-cov',
      ['pytest', 'tests/unit', '-q'],
      known,
      [
        'pytest',
        `--junitxml=${DIR}/junit.xml`,
        '-o',
        'junit_family=xunit1',
        '--cov',
        `--cov-report=xml:${DIR}/coverage.xml`,
        '--cov-report=term',
        'tests/unit',
        '-q'
      ]
    ],
    [
      'python -m pytest without pytest-cov',
      ['python3', '-m', 'pytest', 'tests'],
      { ...known, pytestCov: false },
      ['python3', '-m', 'pytest', `--junitxml=${DIR}/junit.xml`, '-o', 'junit_family=xunit1', 'tests']
    ],
    ['pytest writing its own JUnit', ['pytest', '--junitxml=out.xml'], known, undefined],
    ['python -m unittest is not changed', ['python', '-m', 'unittest'], known, undefined],
    [
      'npx jest',
      ['npx', 'jest', 'unit'],
      known,
      [
        'npx',
        'jest',
        '--ci',
        '--json',
        `--outputFile=${DIR}/jest.json`,
        '--testLocationInResults',
        '--coverage',
        '--coverageReporters=cobertura',
        '--coverageReporters=text-summary',
        `--coverageDirectory=${DIR}/coverage`,
        'unit'
      ]
    ],
    ['jest with coverage off', ['jest'], { ...known, coverage: false }, ['jest', '--ci', '--json', `--outputFile=${DIR}/jest.json`, '--testLocationInResults']],
    ['jest with its own --json', ['jest', '--json'], known, undefined],
    [
      'vitest: one run, JUnit added',
      ['pnpm', 'exec', 'vitest', 'src'],
      known,
      ['pnpm', 'exec', 'vitest', 'run', '--reporter=default', '--reporter=junit', `--outputFile.junit=${DIR}/junit.xml`, 'src']
    ],
    [
      'node --test: reporters after --test',
      ['node', '--import', 'tsx', '--test', 'test/'],
      known,
      [
        'node',
        '--import',
        'tsx',
        '--test',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=junit',
        `--test-reporter-destination=${DIR}/junit.xml`,
        'test/'
      ]
    ],
    ['node without --test', ['node', 'script.js'], known, undefined]
  ])('%s', (_name, command, options, expected) => {
    expect(withReportOptions(command, options)?.command).toEqual(expected);
  });
});
