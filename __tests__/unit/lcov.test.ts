// Table-driven tests of the LCOV parser over real tracefiles (node --test, jest, vitest), the
// rounding shared with the Cobertura parser, and fuzzing.

import { describe, expect, test } from '@jest/globals';
import type { CoverageResult } from '../../src/model.js';
import { parseLcov } from '../../src/reports/lcov.js';
import { byteString, expectSaneCoverage, mutations, random, times, tokenSoup } from '../fixtures/fuzz.js';

// Node 20.20 `node --test --experimental-test-coverage --test-reporter=lcov` in /tmp/work/nt
// (two test files; Node 20 counts the test files themselves too). Paths are relative to the project.
const NODE_LCOV = `TN:
SF:src/math.js
FN:2,add
FN:5,div
FNDA:2,add
FNDA:1,div
FNF:2
FNH:2
BRDA:1,0,0,2
BRDA:2,1,0,2
BRDA:5,2,0,1
BRDA:6,3,0,0
BRF:4
BRH:3
DA:1,2
DA:2,2
DA:3,2
DA:4,2
DA:5,1
DA:6,1
DA:7,1
DA:8,1
DA:9,2
LH:9
LF:9
end_of_record
SF:test/a.test.js
FN:5,anonymous_0
FN:6,anonymous_1
FN:7,anonymous_2
FN:8,anonymous_3
FNDA:1,anonymous_0
FNDA:1,anonymous_1
FNDA:1,anonymous_2
FNDA:0,anonymous_3
FNF:4
FNH:3
BRDA:1,0,0,1
BRDA:5,1,0,1
BRDA:6,2,0,1
BRDA:7,3,0,1
BRF:4
BRH:4
DA:1,1
DA:2,1
DA:3,1
DA:4,1
DA:5,1
DA:6,1
DA:7,1
DA:8,1
DA:9,1
LH:9
LF:9
end_of_record
SF:test/b.test.js
FN:5,anonymous_0
FN:6,anonymous_1
FNDA:1,anonymous_0
FNDA:1,anonymous_1
FNF:2
FNH:2
BRDA:1,0,0,1
BRDA:5,1,0,1
BRDA:6,2,0,1
BRF:3
BRH:3
DA:1,1
DA:2,1
DA:3,1
DA:4,1
DA:5,1
DA:6,1
LH:6
LF:6
end_of_record
`;

// jest 30 `--coverage --coverageReporters=lcovonly` in examples/node-app (copied to
// /tmp/work/shop/examples/node-app). The Cobertura report of the same run says
// lines-valid="47" lines-covered="38".
const JEST_LCOV = `TN:
SF:src/app.js
FN:6,createStore
FN:7,(anonymous_1)
FN:8,(anonymous_2)
FN:10,(anonymous_3)
FN:11,(anonymous_4)
FN:12,(anonymous_5)
FN:20,validateItem
FN:28,send
FN:34,readJson
FN:35,(anonymous_9)
FN:37,(anonymous_10)
FN:38,(anonymous_11)
FN:48,createApp
FN:50,(anonymous_13)
FNF:14
FNH:13
FNDA:1,createStore
FNDA:1,(anonymous_1)
FNDA:1,(anonymous_2)
FNDA:0,(anonymous_3)
FNDA:2,(anonymous_4)
FNDA:1,(anonymous_5)
FNDA:3,validateItem
FNDA:4,send
FNDA:1,readJson
FNDA:1,(anonymous_9)
FNDA:1,(anonymous_10)
FNDA:1,(anonymous_11)
FNDA:1,createApp
FNDA:4,(anonymous_13)
DA:4,1
DA:7,1
DA:8,1
DA:9,1
DA:10,0
DA:11,2
DA:13,1
DA:14,1
DA:15,1
DA:21,3
DA:22,3
DA:23,3
DA:24,3
DA:25,3
DA:29,4
DA:30,4
DA:31,4
DA:35,1
DA:36,1
DA:37,1
DA:38,1
DA:39,1
DA:40,1
DA:42,0
DA:49,1
DA:50,1
DA:51,4
DA:52,4
DA:53,1
DA:55,3
DA:56,0
DA:58,3
DA:59,3
DA:60,2
DA:61,2
DA:63,1
DA:64,1
DA:65,1
DA:66,1
DA:67,1
DA:69,0
DA:73,1
LF:42
LH:38
BRDA:6,0,0,0
BRDA:22,1,0,0
BRDA:22,1,1,3
BRDA:22,2,0,3
BRDA:22,2,1,3
BRDA:23,3,0,1
BRDA:23,3,1,2
BRDA:23,4,0,3
BRDA:23,4,1,3
BRDA:24,5,0,1
BRDA:24,5,1,2
BRDA:24,6,0,3
BRDA:24,6,1,3
BRDA:48,7,0,0
BRDA:52,8,0,1
BRDA:52,8,1,3
BRDA:52,9,0,4
BRDA:52,9,1,3
BRDA:55,10,0,0
BRDA:55,10,1,3
BRDA:55,11,0,3
BRDA:55,11,1,2
BRDA:59,12,0,2
BRDA:59,12,1,1
BRDA:59,13,0,3
BRDA:59,13,1,2
BRDA:61,14,0,1
BRDA:61,14,1,1
BRDA:63,15,0,1
BRDA:63,15,1,0
BRDA:63,16,0,1
BRDA:63,16,1,1
BRDA:66,17,0,0
BRDA:66,17,1,1
BRF:34
BRH:28
end_of_record
TN:
SF:src/server.js
FN:8,(anonymous_0)
FNF:1
FNH:0
FNDA:0,(anonymous_0)
DA:3,0
DA:5,0
DA:6,0
DA:8,0
DA:9,0
LF:5
LH:0
BRDA:5,0,0,0
BRDA:5,0,1,0
BRF:2
BRH:0
end_of_record
`;

// vitest 3.2 with @vitest/coverage-v8, `--coverage.reporter=lcovonly`.
const VITEST_LCOV = `TN:
SF:src/math.js
FN:1,add
FN:5,div
FNF:2
FNH:1
FNDA:2,add
FNDA:0,div
DA:1,1
DA:2,2
DA:3,2
DA:5,1
DA:6,0
DA:7,0
DA:8,0
LF:7
LH:4
BRDA:1,0,0,2
BRF:1
BRH:1
end_of_record
`;

describe('parseLcov: real tracefiles', () => {
  test('node --test', () => {
    const { coverage, warnings } = parseLcov(NODE_LCOV, { projectRoot: '/tmp/work/nt', repositoryRoot: '/tmp/work' });
    expect(warnings).toEqual([]);
    expect(coverage).toEqual({
      percent: 100,
      linesValid: 24,
      linesCovered: 24,
      files: [
        { path: 'nt/src/math.js', linesValid: 9, linesCovered: 9, percent: 100 },
        { path: 'nt/test/a.test.js', linesValid: 9, linesCovered: 9, percent: 100 },
        { path: 'nt/test/b.test.js', linesValid: 6, linesCovered: 6, percent: 100 }
      ]
    });
  });

  test('jest (istanbul) agrees with its own Cobertura report', () => {
    const { coverage, warnings } = parseLcov(JEST_LCOV, { projectRoot: '/tmp/work/shop/examples/node-app', repositoryRoot: '/tmp/work/shop' });
    expect(warnings).toEqual([]);
    expect(coverage).toEqual({
      percent: 80.9,
      linesValid: 47,
      linesCovered: 38,
      files: [
        { path: 'examples/node-app/src/app.js', linesValid: 42, linesCovered: 38, percent: 90.5 },
        { path: 'examples/node-app/src/server.js', linesValid: 5, linesCovered: 0, percent: 0 }
      ]
    });
  });

  test('vitest (v8)', () => {
    const { coverage } = parseLcov(VITEST_LCOV, { projectRoot: '/repo' });
    expect(coverage).toMatchObject({ percent: 57.1, linesValid: 7, linesCovered: 4, files: [{ path: 'src/math.js' }] });
  });

  test('without options paths stay as written', () => {
    expect(parseLcov(VITEST_LCOV).coverage?.files[0]?.path).toBe('src/math.js');
    expect(parseLcov('SF:/abs/x.js\nLF:1\nLH:1\nend_of_record\n').coverage?.files[0]?.path).toBe('/abs/x.js');
  });
});

const record = (...lines: string[]): string => [...lines, 'end_of_record'].join('\n') + '\n';

describe('parseLcov: where the counts come from', () => {
  test.each<[string, string, Partial<CoverageResult>]>([
    ['LF/LH', record('SF:a.js', 'LF:4', 'LH:3'), { linesValid: 4, linesCovered: 3, percent: 75 }],
    ['DA lines when LF/LH are missing', record('SF:a.js', 'DA:1,1', 'DA:2,0', 'DA:3,5'), { linesValid: 3, linesCovered: 2, percent: 66.7 }],
    ['LF/LH win over DA lines', record('SF:a.js', 'DA:1,1', 'DA:2,0', 'LF:10', 'LH:9'), { linesValid: 10, linesCovered: 9, percent: 90 }],
    ['LH above LF is not trusted: DA lines', record('SF:a.js', 'DA:1,1', 'DA:2,0', 'LF:1', 'LH:2'), { linesValid: 2, linesCovered: 1, percent: 50 }],
    ['DA checksums are ignored', record('SF:a.js', 'DA:1,1,abc', 'DA:2,0,def'), { linesValid: 2, linesCovered: 1 }],
    ['a file with nothing to cover', record('SF:a.js', 'LF:0', 'LH:0'), { linesValid: 0, linesCovered: 0, percent: 100 }],
    [
      'one file in two records (merged runs): each line once, covered if either covered it',
      record('SF:a.js', 'DA:1,1', 'DA:2,0', 'DA:3,0', 'LF:3', 'LH:1') + record('SF:a.js', 'DA:1,0', 'DA:2,4', 'DA:3,0', 'LF:3', 'LH:1'),
      { linesValid: 3, linesCovered: 2, percent: 66.7 }
    ],
    ['two files add up', record('SF:a.js', 'LF:3', 'LH:1') + record('SF:b.js', 'LF:1', 'LH:1'), { linesValid: 4, linesCovered: 2, percent: 50 }],
    ['CRLF, a BOM and blanks', '\uFEFFTN:\r\nSF:a.js\r\n  DA:1,1\r\n\r\nDA:2,0\r\nend_of_record\r\n', { linesValid: 2, linesCovered: 1, percent: 50 }]
  ])('%s', (_, text, expected) => {
    const { coverage, warnings } = parseLcov(text);
    expect(warnings).toEqual([]);
    expect(coverage).toMatchObject(expected);
  });

  test.each<[number, number, number]>([
    [1, 3, 33.3],
    [2, 3, 66.7],
    [999, 1000, 99.9],
    [9999, 10000, 99.9], // never shows 100 unless everything is covered
    [1, 2000, 0.1], // never shows 0 unless nothing is covered
    [1, 8, 12.5],
    [0, 5, 0]
  ])('%i of %i lines is %s%%, as in Cobertura reports', (hit, found, percent) => {
    expect(parseLcov(record('SF:a.js', `LF:${found}`, `LH:${hit}`)).coverage?.percent).toBe(percent);
  });
});

describe('parseLcov: bad input never throws', () => {
  test.each<[string, unknown, RegExp]>([
    ['empty', '', /empty/],
    ['blank', '\n \n', /empty/],
    ['no records', 'TN:\nDA:1,1\nend_of_record\n', /no SF/],
    ['not LCOV', '<coverage line-rate="0.5"/>', /no SF/],
    ['a number', 7, /no SF/],
    ['undefined', undefined, /empty/]
  ])('%s', (_, input, warning) => {
    const { coverage, warnings } = parseLcov(input as string);
    expect(coverage).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(warning)]);
  });

  test('a cut report keeps what it read and says so', () => {
    const cut = JEST_LCOV.slice(0, JEST_LCOV.indexOf('DA:8,0'));
    const { coverage, warnings } = parseLcov(cut);
    expect(coverage?.files.map((f) => f.path)).toEqual(['src/app.js', 'src/server.js']);
    expect(warnings).toEqual([expect.stringMatching(/truncated/)]);
  });

  test('malformed DA lines are counted as ignored', () => {
    const { coverage, warnings } = parseLcov(record('SF:a.js', 'DA:x,1', 'DA:0,1', 'DA:3', 'DA:4,1'));
    expect(coverage).toMatchObject({ linesValid: 1, linesCovered: 1 });
    expect(warnings).toEqual(['lcov report: ignored 3 malformed lines']);
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzzing

const TOKENS = [
  'SF:',
  'DA:',
  'LF:',
  'LH:',
  'end_of_record',
  'TN:',
  ',',
  ':',
  '\n',
  '\r\n',
  '1',
  '0',
  '-1',
  '99999999999999999999',
  'NaN',
  '1e3',
  ' ',
  '/',
  '..',
  'a.js',
  '🚀',
  '\u0000'
];

describe('parseLcov: fuzz', () => {
  test('2,000 mutations of real tracefiles', () => {
    const fixtures = [NODE_LCOV, JEST_LCOV, VITEST_LCOV];
    for (const text of mutations(fixtures, 2000, random(31), { tokens: TOKENS })) {
      const { coverage, warnings } = parseLcov(text, { projectRoot: '/repo' });
      expectSaneCoverage(coverage, warnings);
    }
  });

  test('every truncation point of a tracefile', () => {
    for (let cut = 0; cut <= JEST_LCOV.length; cut += 5) {
      const { coverage, warnings } = parseLcov(JEST_LCOV.slice(0, cut));
      expectSaneCoverage(coverage, warnings);
    }
  });

  test('1,000 token soups and 500 random byte strings', () => {
    const next = random(32);
    for (const tokens of times(1000, () => tokenSoup(next, TOKENS))) {
      const { coverage, warnings } = parseLcov(tokens);
      expectSaneCoverage(coverage, warnings);
    }
    for (const bytes of times(500, () => byteString(next))) {
      const { coverage, warnings } = parseLcov(bytes);
      expectSaneCoverage(coverage, warnings);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Per-line data, for patch coverage

describe('parseLcov: covered and missed line numbers', () => {
  test('jest (istanbul): from the DA lines', () => {
    const { coverage } = parseLcov(JEST_LCOV, { lines: true });
    expect(coverage?.files.find((f) => f.path === 'src/server.js')?.lines).toEqual({ covered: [], missed: [3, 5, 6, 8, 9] });
    const app = coverage?.files.find((f) => f.path === 'src/app.js')?.lines;
    expect([app?.covered.length, app?.missed]).toEqual([38, [10, 42, 56, 69]]);
  });

  test.each<[string, string, { covered: number[]; missed: number[] }]>([
    ['DA lines in any order', record('SF:a.js', 'DA:9,1', 'DA:2,0', 'DA:5,3'), { covered: [5, 9], missed: [2] }],
    ['LF/LH give the counts, DA lines the numbers', record('SF:a.js', 'DA:1,1', 'DA:2,0', 'LF:10', 'LH:9'), { covered: [1], missed: [2] }],
    ['no DA lines: nothing listed', record('SF:a.js', 'LF:4', 'LH:3'), { covered: [], missed: [] }],
    ['a line repeated in one record: covered if any says so', record('SF:a.js', 'DA:3,0', 'DA:3,2', 'DA:3,0'), { covered: [3], missed: [] }],
    [
      'one file in two records (merged runs)',
      record('SF:a.js', 'DA:1,1', 'DA:2,0', 'DA:3,0') + record('SF:a.js', 'DA:1,0', 'DA:2,4', 'DA:4,0'),
      { covered: [1, 2], missed: [3, 4] }
    ],
    ['malformed DA lines are left out', record('SF:a.js', 'DA:x,1', 'DA:0,1', 'DA:3', 'DA:4,1'), { covered: [4], missed: [] }]
  ])('%s', (_, text, lines) => {
    expect(parseLcov(text, { lines: true }).coverage?.files[0]?.lines).toEqual(lines);
  });

  test('not asked: no lines, the result as before', () => {
    const plain = parseLcov(JEST_LCOV).coverage;
    expect(plain?.files.every((f) => !('lines' in f))).toBe(true);
    expect(parseLcov(JEST_LCOV, { lines: true }).coverage?.files.map(({ lines: _lines, ...rest }) => rest)).toEqual(plain?.files);
  });

  test('fuzz: 1,000 mutations keep the lists sorted, positive, apart and no longer than the file says', () => {
    for (const text of mutations([NODE_LCOV, JEST_LCOV, VITEST_LCOV], 1000, random(33), { tokens: TOKENS })) {
      const { coverage, warnings } = parseLcov(text, { lines: true });
      expectSaneCoverage(coverage, warnings);
      const problems: string[] = [];
      for (const f of coverage?.files ?? []) {
        const { covered = [], missed = [] } = f.lines ?? {};
        const all = [...covered, ...missed];
        if (new Set(all).size !== all.length) problems.push(`${f.path}: a line in both lists`);
        for (const list of [covered, missed])
          if (list.some((n, i) => n < 1 || (i > 0 && n <= (list[i - 1] ?? 0)))) problems.push(`${f.path}: ${list.join(',')}`);
      }
      if (problems.length > 0) expect(problems).toEqual([]);
    }
  });
});
