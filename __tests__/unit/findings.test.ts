// Table-driven tests of the lint output parsers over real ruff, flake8 and eslint output,
// the path rules they share, and fuzzing.

import { describe, expect, test } from '@jest/globals';
import { crashLine, parseEslintJson, parseFlake8, parseLineFindings, parseRuffJson, type FindingsParse } from '../../src/reports/findings.js';
import { isProjectPath, toRepoPath } from '../../src/reports/paths.js';
import { byteString, expectNoProblems, mutations, pick, random, times, tokenSoup } from '../fixtures/fuzz.js';

const ROOT = '/home/runner/work/shop/shop';

// ruff 0.16 `ruff check --output-format=json .` on a sample project.
const RUFF_JSON = JSON.stringify(
  [
    {
      cell: null,
      code: 'I001',
      end_location: {
        column: 15,
        row: 1
      },
      filename: '/home/runner/work/shop/shop/app/core.py',
      fix: {
        applicability: 'safe',
        edits: [
          {
            content: 'import os\nimport sys\n\n\n',
            end_location: {
              column: 1,
              row: 4
            },
            location: {
              column: 1,
              row: 1
            }
          }
        ],
        message: 'Organize imports'
      },
      location: {
        column: 1,
        row: 1
      },
      message: 'Import block is un-sorted or un-formatted',
      name: 'unsorted-imports',
      noqa_row: 1,
      severity: 'error',
      url: 'https://docs.astral.sh/ruff/rules/unsorted-imports'
    },
    {
      cell: null,
      code: 'F401',
      end_location: {
        column: 10,
        row: 1
      },
      filename: '/home/runner/work/shop/shop/app/core.py',
      fix: {
        applicability: 'safe',
        edits: [
          {
            content: '',
            end_location: {
              column: 1,
              row: 2
            },
            location: {
              column: 1,
              row: 1
            }
          }
        ],
        message: 'Remove unused import'
      },
      location: {
        column: 8,
        row: 1
      },
      message: '`os` imported but unused',
      name: 'unused-import',
      noqa_row: 1,
      severity: 'error',
      url: 'https://docs.astral.sh/ruff/rules/unused-import'
    },
    {
      cell: null,
      code: 'F401',
      end_location: {
        column: 15,
        row: 1
      },
      filename: '/home/runner/work/shop/shop/app/core.py',
      fix: {
        applicability: 'safe',
        edits: [
          {
            content: '',
            end_location: {
              column: 1,
              row: 2
            },
            location: {
              column: 1,
              row: 1
            }
          }
        ],
        message: 'Remove unused import'
      },
      location: {
        column: 12,
        row: 1
      },
      message: '`sys` imported but unused',
      name: 'unused-import',
      noqa_row: 1,
      severity: 'error',
      url: 'https://docs.astral.sh/ruff/rules/unused-import'
    },
    {
      cell: null,
      code: 'invalid-syntax',
      end_location: {
        column: 13,
        row: 1
      },
      filename: '/home/runner/work/shop/shop/app/syntax_err.py',
      fix: null,
      location: {
        column: 12,
        row: 1
      },
      message: 'Expected a parameter or the end of the parameter list',
      name: 'invalid-syntax',
      noqa_row: null,
      severity: 'error',
      url: null
    },
    {
      cell: null,
      code: 'invalid-syntax',
      end_location: {
        column: 1,
        row: 2
      },
      filename: '/home/runner/work/shop/shop/app/syntax_err.py',
      fix: null,
      location: {
        column: 13,
        row: 1
      },
      message: 'Expected `)`, found newline',
      name: 'invalid-syntax',
      noqa_row: null,
      severity: 'error',
      url: null
    },
    {
      cell: null,
      code: 'I001',
      end_location: {
        column: 11,
        row: 2
      },
      filename: '/home/runner/work/shop/shop/my dir/bad file.py',
      fix: {
        applicability: 'safe',
        edits: [
          {
            content: 'import os\nimport sys\n\n\n',
            end_location: {
              column: 1,
              row: 4
            },
            location: {
              column: 1,
              row: 1
            }
          }
        ],
        message: 'Organize imports'
      },
      location: {
        column: 1,
        row: 1
      },
      message: 'Import block is un-sorted or un-formatted',
      name: 'unsorted-imports',
      noqa_row: 1,
      severity: 'error',
      url: 'https://docs.astral.sh/ruff/rules/unsorted-imports'
    },
    {
      cell: null,
      code: 'F401',
      end_location: {
        column: 10,
        row: 1
      },
      filename: '/home/runner/work/shop/shop/my dir/bad file.py',
      fix: {
        applicability: 'safe',
        edits: [
          {
            content: '',
            end_location: {
              column: 1,
              row: 2
            },
            location: {
              column: 1,
              row: 1
            }
          }
        ],
        message: 'Remove unused import: `os`'
      },
      location: {
        column: 8,
        row: 1
      },
      message: '`os` imported but unused',
      name: 'unused-import',
      noqa_row: 1,
      severity: 'error',
      url: 'https://docs.astral.sh/ruff/rules/unused-import'
    },
    {
      cell: null,
      code: 'F401',
      end_location: {
        column: 11,
        row: 2
      },
      filename: '/home/runner/work/shop/shop/my dir/bad file.py',
      fix: {
        applicability: 'safe',
        edits: [
          {
            content: '',
            end_location: {
              column: 1,
              row: 3
            },
            location: {
              column: 1,
              row: 2
            }
          }
        ],
        message: 'Remove unused import: `sys`'
      },
      location: {
        column: 8,
        row: 2
      },
      message: '`sys` imported but unused',
      name: 'unused-import',
      noqa_row: 2,
      severity: 'error',
      url: 'https://docs.astral.sh/ruff/rules/unused-import'
    },
    {
      cell: null,
      code: 'F841',
      end_location: {
        column: 6,
        row: 5
      },
      filename: '/home/runner/work/shop/shop/my dir/bad file.py',
      fix: {
        applicability: 'unsafe',
        edits: [
          {
            content: '',
            end_location: {
              column: 1,
              row: 6
            },
            location: {
              column: 1,
              row: 5
            }
          }
        ],
        message: 'Remove assignment to unused variable `l`'
      },
      location: {
        column: 5,
        row: 5
      },
      message: 'Local variable `l` is assigned to but never used',
      name: 'unused-variable',
      noqa_row: 5,
      severity: 'error',
      url: 'https://docs.astral.sh/ruff/rules/unused-variable'
    },
    {
      cell: null,
      code: 'I001',
      end_location: {
        column: 41,
        row: 2
      },
      filename: '/home/runner/work/shop/shop/tests/test_core.py',
      fix: {
        applicability: 'safe',
        edits: [
          {
            content: 'import pytest\n\nfrom app.core import add, divide, helper\n\n\n',
            end_location: {
              column: 1,
              row: 5
            },
            location: {
              column: 1,
              row: 1
            }
          }
        ],
        message: 'Organize imports'
      },
      location: {
        column: 1,
        row: 1
      },
      message: 'Import block is un-sorted or un-formatted',
      name: 'unsorted-imports',
      noqa_row: 1,
      severity: 'error',
      url: 'https://docs.astral.sh/ruff/rules/unsorted-imports'
    },
    {
      cell: null,
      code: 'PLR0133',
      end_location: {
        column: 19,
        row: 47
      },
      filename: '/home/runner/work/shop/shop/tests/test_core.py',
      fix: null,
      location: {
        column: 16,
        row: 47
      },
      message: 'Two constants compared in a comparison, consider replacing `"a" == "b"`',
      name: 'comparison-of-constant',
      noqa_row: 47,
      severity: 'error',
      url: 'https://docs.astral.sh/ruff/rules/comparison-of-constant'
    },
    {
      cell: null,
      code: 'I001',
      end_location: {
        column: 36,
        row: 2
      },
      filename: '/home/runner/work/shop/shop/tests/test_util.py',
      fix: {
        applicability: 'safe',
        edits: [
          {
            content: 'import unittest\n\nfrom app.util import Greeter, greet\n\n\n',
            end_location: {
              column: 1,
              row: 5
            },
            location: {
              column: 1,
              row: 1
            }
          }
        ],
        message: 'Organize imports'
      },
      location: {
        column: 1,
        row: 1
      },
      message: 'Import block is un-sorted or un-formatted',
      name: 'unsorted-imports',
      noqa_row: 1,
      severity: 'error',
      url: 'https://docs.astral.sh/ruff/rules/unsorted-imports'
    }
  ],
  null,
  2
);

// ruff `--output-format=concise` on the same project, banner lines included.
const RUFF_CONCISE = [
  'app/core.py:1:1: I001 [*] Import block is un-sorted or un-formatted',
  'app/core.py:1:8: F401 [*] `os` imported but unused',
  'app/core.py:1:12: F401 [*] `sys` imported but unused',
  'app/syntax_err.py:1:12: invalid-syntax: Expected a parameter or the end of the parameter list',
  'app/syntax_err.py:1:13: invalid-syntax: Expected `)`, found newline',
  'my dir/bad file.py:1:1: I001 [*] Import block is un-sorted or un-formatted',
  'my dir/bad file.py:1:8: F401 [*] `os` imported but unused',
  'my dir/bad file.py:2:8: F401 [*] `sys` imported but unused',
  'my dir/bad file.py:5:5: F841 Local variable `l` is assigned to but never used',
  'tests/test_core.py:1:1: I001 [*] Import block is un-sorted or un-formatted',
  'tests/test_core.py:47:16: PLR0133 Two constants compared in a comparison, consider replacing `"a" == "b"`',
  'tests/test_util.py:1:1: I001 [*] Import block is un-sorted or un-formatted',
  'Found 12 errors.',
  '[*] 8 fixable with the `--fix` option (1 hidden fix can be enabled with the `--unsafe-fixes` option).'
].join('\n');

// flake8 7.4 default format.
const FLAKE8 = [
  "./app/core.py:1:1: F401 'os' imported but unused",
  "./app/core.py:1:1: F401 'sys' imported but unused",
  './app/core.py:1:10: E401 multiple imports on one line',
  './app/style.py:1:6: W291 trailing whitespace',
  './app/style.py:2:80: E501 line too long (100 > 79 characters)',
  './app/syntax_err.py:1:13: E999 SyntaxError: invalid syntax',
  './app/util.py:4:1: E302 expected 2 blank lines, found 1',
  './app/util.py:7:5: E301 expected 1 blank line, found 0',
  "./my dir/bad file.py:1:1: F401 'os' imported but unused",
  "./my dir/bad file.py:2:1: F401 'sys' imported but unused",
  './my dir/bad file.py:4:1: E302 expected 2 blank lines, found 1',
  "./my dir/bad file.py:4:7: E201 whitespace after '('",
  "./my dir/bad file.py:4:9: E202 whitespace before ')'",
  "./my dir/bad file.py:5:5: F841 local variable 'l' is assigned to but never used",
  "./my dir/bad file.py:5:5: E741 ambiguous variable name 'l'",
  "./my dir/bad file.py:6:13: E711 comparison to None should be 'if cond is None:'",
  './my dir/bad file.py:6:13: E225 missing whitespace around operator'
].join('\n');

// eslint 9 `-f json` (recommended rules, no-console warn, semi error); one file does not parse.
const ESLINT_JSON = JSON.stringify([
  {
    filePath: '/tmp/eslint-sample/src/app.js',
    messages: [
      {
        ruleId: 'no-unused-vars',
        severity: 2,
        message: "'a' is assigned a value but never used.",
        line: 1,
        column: 7,
        nodeType: 'Identifier',
        messageId: 'unusedVar',
        endLine: 1,
        endColumn: 8
      },
      {
        ruleId: 'semi',
        severity: 2,
        message: 'Missing semicolon.',
        line: 1,
        column: 12,
        nodeType: 'VariableDeclaration',
        messageId: 'missingSemi',
        endLine: 2,
        endColumn: 1,
        fix: {
          range: [11, 11],
          text: ';'
        }
      },
      {
        ruleId: 'no-undef',
        severity: 2,
        message: "'console' is not defined.",
        line: 2,
        column: 1,
        nodeType: 'Identifier',
        messageId: 'undef',
        endLine: 2,
        endColumn: 8
      },
      {
        ruleId: 'no-console',
        severity: 1,
        message: 'Unexpected console statement.',
        line: 2,
        column: 1,
        nodeType: 'MemberExpression',
        messageId: 'unexpected',
        endLine: 2,
        endColumn: 12
      },
      {
        ruleId: 'no-undef',
        severity: 2,
        message: "'b' is not defined.",
        line: 2,
        column: 13,
        nodeType: 'Identifier',
        messageId: 'undef',
        endLine: 2,
        endColumn: 14
      },
      {
        ruleId: 'no-unused-vars',
        severity: 2,
        message: "'f' is defined but never used.",
        line: 3,
        column: 10,
        nodeType: 'Identifier',
        messageId: 'unusedVar',
        endLine: 3,
        endColumn: 11
      },
      {
        ruleId: 'no-unused-vars',
        severity: 2,
        message: "'unused' is assigned a value but never used.",
        line: 3,
        column: 20,
        nodeType: 'Identifier',
        messageId: 'unusedVar',
        endLine: 3,
        endColumn: 26
      },
      {
        ruleId: 'semi',
        severity: 2,
        message: 'Missing semicolon.',
        line: 3,
        column: 30,
        nodeType: 'VariableDeclaration',
        messageId: 'missingSemi',
        endLine: 3,
        endColumn: 31,
        fix: {
          range: [57, 57],
          text: ';'
        }
      }
    ],
    suppressedMessages: [],
    errorCount: 7,
    fatalErrorCount: 0,
    warningCount: 1,
    fixableErrorCount: 2,
    fixableWarningCount: 0,
    source: 'const a = 1\nconsole.log(b);\nfunction f() { var unused = 2 }\n',
    usedDeprecatedRules: [
      {
        ruleId: 'semi',
        replacedBy: ['@stylistic/semi']
      }
    ]
  },
  {
    filePath: '/tmp/eslint-sample/src/broken.js',
    messages: [
      {
        ruleId: null,
        nodeType: null,
        fatal: true,
        severity: 2,
        message: 'Parsing error: Unexpected token',
        line: 2,
        column: 1
      }
    ],
    suppressedMessages: [],
    errorCount: 1,
    fatalErrorCount: 1,
    warningCount: 0,
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    source: 'const x = {\n',
    usedDeprecatedRules: [
      {
        ruleId: 'semi',
        replacedBy: ['@stylistic/semi']
      }
    ]
  },
  {
    filePath: '/tmp/eslint-sample/src/with space.js',
    messages: [
      {
        ruleId: 'no-undef',
        severity: 2,
        message: "'console' is not defined.",
        line: 2,
        column: 1,
        nodeType: 'Identifier',
        messageId: 'undef',
        endLine: 2,
        endColumn: 8
      },
      {
        ruleId: 'no-console',
        severity: 1,
        message: 'Unexpected console statement.',
        line: 2,
        column: 1,
        nodeType: 'MemberExpression',
        messageId: 'unexpected',
        endLine: 2,
        endColumn: 12
      }
    ],
    suppressedMessages: [],
    errorCount: 1,
    fatalErrorCount: 0,
    warningCount: 1,
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    source: 'let ok = 1;\nconsole.log(ok);\n',
    usedDeprecatedRules: [
      {
        ruleId: 'semi',
        replacedBy: ['@stylistic/semi']
      }
    ]
  }
]);

function only(parse: FindingsParse, path: string, line: number, code: string) {
  const found = parse.findings.filter((f) => f.path === path && f.line === line && f.code === code);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('toRepoPath', () => {
  test.each([
    ['/home/runner/work/shop/shop/app/core.py', { projectRoot: ROOT }, 'app/core.py'],
    ['./app/core.py', { projectRoot: ROOT }, 'app/core.py'],
    ['app/../lib/x.py', {}, 'lib/x.py'],
    ['app/core.py', {}, 'app/core.py'],
    ['app/core.py', { projectRoot: `${ROOT}/api`, repositoryRoot: ROOT }, 'api/app/core.py'],
    ['app/core.py', { projectRoot: 'api' }, 'api/app/core.py'],
    ['/usr/lib/python3.12/json/__init__.py', { projectRoot: ROOT }, '/usr/lib/python3.12/json/__init__.py'],
    ['/home/runner/work/shop/shop-other/x.py', { projectRoot: ROOT }, '/home/runner/work/shop/shop-other/x.py'],
    ['C:\\x\\y.py', {}, 'C:/x/y.py'],
    ['c:\\Work\\Shop\\app\\y.py', { projectRoot: 'C:\\work\\shop' }, 'app/y.py'],
    ['file:///home/runner/work/shop/shop/src/a.js', { projectRoot: `${ROOT}/` }, 'src/a.js'],
    ['  my dir/bad file.py ', { projectRoot: ROOT }, 'my dir/bad file.py'],
    ['', { projectRoot: ROOT }, '']
  ])('%s with %p is %s', (raw, options, expected) => {
    expect(toRepoPath(raw, options)).toBe(expected);
  });

  test.each([
    ['app/core.py', true],
    ['.venv/lib/python3.12/site-packages/x.py', false],
    ['node_modules/jest-circus/build/utils.js', false],
    ['../elsewhere.py', false],
    ['/usr/lib/x.py', false],
    ['<frozen importlib._bootstrap>', false],
    ['', false]
  ])('isProjectPath(%s) is %p', (path, expected) => {
    expect(isProjectPath(path)).toBe(expected);
  });
});

describe('parseRuffJson', () => {
  const parsed = parseRuffJson(RUFF_JSON, { projectRoot: ROOT });

  test('reads every diagnostic', () => {
    expect(parsed.warnings).toEqual([]);
    expect(parsed.findings).toHaveLength(12);
  });

  test.each([
    // path, line, code, column, endLine, endColumn, severity, message
    ['app/core.py', 1, 'I001', 1, 1, 15, 'warning', 'Import block is un-sorted or un-formatted'],
    ['my dir/bad file.py', 5, 'F841', 5, 5, 6, 'warning', 'Local variable `l` is assigned to but never used'],
    ['tests/test_core.py', 47, 'PLR0133', 16, 47, 19, 'warning', 'Two constants compared in a comparison, consider replacing `"a" == "b"`']
  ])('%s:%d %s', (path, line, code, column, endLine, endColumn, severity, message) => {
    expect(only(parsed, path, line, code)).toEqual({ path, line, code, column, endLine, endColumn, severity, message });
  });

  test('syntax errors are errors; every other rule is a warning whatever ruff calls it', () => {
    const syntax = parsed.findings.filter((f) => f.path === 'app/syntax_err.py');
    expect(syntax.map((f) => [f.code, f.severity, f.column])).toEqual([
      ['invalid-syntax', 'error', 12],
      ['invalid-syntax', 'error', 13]
    ]);
    expect(parsed.findings.filter((f) => f.severity === 'error')).toHaveLength(2);
  });

  test.each([
    ['null (ruff 0.1-0.11)', null, 'syntax'],
    ['E999 (older ruff)', 'E999', 'E999']
  ])('a syntax error coded %s', (_label, code, expected) => {
    const json = JSON.stringify([
      {
        code,
        filename: `${ROOT}/a.py`,
        location: { row: 2, column: 1 },
        end_location: { row: 2, column: 5 },
        message: 'SyntaxError: Unexpected token',
        url: null,
        fix: null
      }
    ]);
    expect(parseRuffJson(json, { projectRoot: ROOT }).findings).toEqual([
      { path: 'a.py', line: 2, column: 1, endLine: 2, endColumn: 5, code: expected, message: 'SyntaxError: Unexpected token', severity: 'error' }
    ]);
  });

  test.each([
    ['no findings', '[]', 0, []],
    ['empty output', '', 0, []],
    [
      'json-lines format',
      `{"code":"F401","filename":"a.py","location":{"row":1,"column":8},"message":"x"}\n{"code":"E501","filename":"b.py","location":{"row":9,"column":89},"message":"y"}`,
      2,
      []
    ],
    ['a banner before the array', `warning: something about config\n[{"code":"F401","filename":"a.py","location":{"row":1,"column":8},"message":"x"}]`, 1, []],
    [
      'entries without a file or line',
      `[{"code":"F401","location":{"row":1}},{"code":"F401","filename":"a.py"},{"code":"F401","filename":"a.py","location":{"row":"3"}}, 7, null]`,
      1,
      [/ignored 4 entries/]
    ],
    ['the default text format', 'app/core.py:1:8: F401 [*] `os` imported but unused\nFound 1 error.', 0, [/not JSON/]]
  ])('%s', (_label, output, count, warnings) => {
    const result = parseRuffJson(output);
    expect(result.findings).toHaveLength(count);
    expect(result.warnings).toHaveLength(warnings.length);
    warnings.forEach((pattern, i) => expect(result.warnings[i]).toMatch(pattern));
  });
});

describe('parseLineFindings / parseFlake8', () => {
  test('flake8: every line, ./ stripped', () => {
    const { findings, warnings } = parseFlake8(FLAKE8, { projectRoot: ROOT });
    expect(warnings).toEqual([]);
    expect(findings).toHaveLength(17);
    expect(findings[0]).toEqual({ path: 'app/core.py', line: 1, column: 1, code: 'F401', message: "'os' imported but unused", severity: 'warning' });
    expect(findings.filter((f) => f.path === 'my dir/bad file.py')).toHaveLength(9);
  });

  test('flake8: E999 is an error, and colons in the message survive', () => {
    const { findings } = parseFlake8(FLAKE8);
    expect(findings.find((f) => f.code === 'E999')).toEqual({
      path: 'app/syntax_err.py',
      line: 1,
      column: 13,
      code: 'E999',
      message: 'SyntaxError: invalid syntax',
      severity: 'error'
    });
  });

  test('ruff concise: banner lines ignored, fixable mark dropped, named syntax code', () => {
    const { findings, warnings } = parseLineFindings(RUFF_CONCISE);
    expect(warnings).toEqual([]);
    expect(findings).toHaveLength(12);
    expect(findings[1]).toMatchObject({ path: 'app/core.py', line: 1, column: 8, code: 'F401', message: '`os` imported but unused' });
    expect(findings[3]).toMatchObject({ code: 'invalid-syntax', severity: 'error', message: 'Expected a parameter or the end of the parameter list' });
  });

  test.each([
    // line, expected finding (toMatchObject)
    ['C:\\x\\y.py:3:1: E1 msg', { path: 'C:/x/y.py', line: 3, column: 1, code: 'E1', message: 'msg' }],
    ["D:\\a\\shop\\app\\x.py:12:5: W605 invalid escape sequence '\\d'", { path: 'D:/a/shop/app/x.py', line: 12, column: 5, code: 'W605' }],
    [
      'app/x.py:7: error: Incompatible types in assignment (expression has type "str", variable has type "int")  [assignment]',
      {
        path: 'app/x.py',
        line: 7,
        column: undefined,
        code: 'assignment',
        severity: 'error',
        message: 'Incompatible types in assignment (expression has type "str", variable has type "int")'
      }
    ],
    [
      'app/x.py:8: note: See https://mypy.rtfd.io/en/stable/x.html',
      { line: 8, code: '', severity: 'notice', message: 'See https://mypy.rtfd.io/en/stable/x.html' }
    ],
    [
      'app/x.py:1:0: C0114: Missing module docstring (missing-module-docstring)',
      { line: 1, column: undefined, code: 'C0114', message: 'Missing module docstring (missing-module-docstring)' }
    ],
    ['app/x.py:1: [C0114(missing-module-docstring), ] Missing module docstring', { line: 1, code: 'C0114', message: 'Missing module docstring' }],
    ['my dir/a: b.py:4:2: E225 missing whitespace around operator', { path: 'my dir/a: b.py', line: 4, column: 2, code: 'E225' }],
    ['app/x.py:2:1: something without a code: but with: colons', { code: '', message: 'something without a code: but with: colons', severity: 'warning' }],
    ['  app/x.py:2:1: E302 expected 2 blank lines, found 1  ', { path: 'app/x.py', line: 2, code: 'E302' }],
    ['app/x.py:2:1: E302 x\r', { path: 'app/x.py', message: 'x' }]
  ])('%s', (line, expected) => {
    const { findings } = parseLineFindings(line);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject(expected);
  });

  test.each([
    ['whitespace runs in a mypy message', `a.py:1: error: x${' '.repeat(20_000)}y`],
    ['colons and digits everywhere', `${':1'.repeat(20_000)}`],
    ['a very long path-like line', `${'a/'.repeat(20_000)}x.py:3:1: E1 msg`]
  ])('pathological line is read without catastrophic backtracking: %s', (_label, line) => {
    const { findings, warnings } = parseLineFindings(line);
    expect(findings.length + warnings.length).toBeLessThanOrEqual(1);
  });

  test('the default severity can be chosen', () => {
    expect(parseLineFindings('a.py:1:1: E1 x', { severity: 'notice' }).findings[0]?.severity).toBe('notice');
  });

  test.each([
    ['ruff full format location line', '  --> app/core.py:1:8'],
    ['a bare location', 'app/core.py:1:8:'],
    ['a summary', 'Found 12 errors.'],
    ['line zero', 'app/core.py:0:1: E1 x'],
    ['no path', ':3:1: E1 x']
  ])('not a finding: %s', (_label, line) => {
    const { findings, warnings } = parseLineFindings(line);
    expect(findings).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  test('no output is no findings and no warning', () => {
    expect(parseLineFindings('')).toEqual({ findings: [], warnings: [] });
    expect(parseLineFindings('\n\n')).toEqual({ findings: [], warnings: [] });
  });
});

describe('parseEslintJson', () => {
  const parsed = parseEslintJson(ESLINT_JSON, { projectRoot: '/tmp/eslint-sample' });

  test('reads every message', () => {
    expect(parsed.warnings).toEqual([]);
    expect(parsed.findings).toHaveLength(11);
    expect(parsed.findings.filter((f) => f.severity === 'warning').map((f) => f.code)).toEqual(['no-console', 'no-console']);
  });

  test.each([
    ['src/app.js', 1, 'no-unused-vars', { column: 7, endLine: 1, endColumn: 8, severity: 'error', message: "'a' is assigned a value but never used." }],
    ['src/app.js', 1, 'semi', { column: 12, endLine: 2, endColumn: 1, severity: 'error', message: 'Missing semicolon.' }],
    ['src/broken.js', 2, 'syntax', { column: 1, endLine: undefined, severity: 'error', message: 'Parsing error: Unexpected token' }],
    ['src/with space.js', 2, 'no-console', { column: 1, severity: 'warning' }]
  ])('%s:%d %s', (path, line, code, expected) => {
    expect(only(parsed, path, line, code)).toMatchObject(expected);
  });

  test.each([
    [
      'a file-level message without a line',
      [{ filePath: '/p/a.js', messages: [{ ruleId: null, fatal: false, severity: 1, message: 'File ignored because of a matching ignore pattern.' }] }],
      { line: 1, code: '', severity: 'warning' }
    ],
    ['severity given as a word', [{ filePath: 'a.js', messages: [{ ruleId: 'x', severity: 'error', line: 3 }] }], { line: 3, severity: 'error' }]
  ])('%s', (_label, value, expected) => {
    const { findings } = parseEslintJson(JSON.stringify(value));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject(expected);
  });

  test.each([
    ['severity 0 and junk entries are skipped', `[{"filePath":"a.js","messages":[{"severity":0,"line":1},"junk",null]},{"nope":1}]`, /ignored 4 entries/],
    ['the stylish format', `/p/a.js\n  1:7  error  'a' is assigned a value but never used  no-unused-vars\n\n✖ 1 problem`, /not JSON/]
  ])('%s', (_label, output, warning) => {
    const { findings, warnings } = parseEslintJson(output);
    expect(findings).toEqual([]);
    expect(warnings.join()).toMatch(warning);
  });
});

describe('parseEslintJson: a project eslint cannot parse', () => {
  // eslint 9.39 `--format json src/c.ts src/d.ts`: TypeScript files without the TypeScript parser.
  const fatal = (file: string, message: string) => ({
    filePath: `/tmp/lt/${file}`,
    messages: [{ ruleId: null, nodeType: null, fatal: true, severity: 2, message, line: 1, column: 8 }],
    errorCount: 1,
    fatalErrorCount: 1
  });
  const clean = (file: string) => ({ filePath: `/tmp/lt/${file}`, messages: [], errorCount: 0, fatalErrorCount: 0 });
  const unused = (file: string) => ({
    filePath: `/tmp/lt/${file}`,
    messages: [{ ruleId: 'no-unused-vars', severity: 2, message: "'a' is assigned a value but never used.", line: 1, column: 7 }]
  });
  const C = fatal('src/c.ts', 'Parsing error: Unexpected token :');
  const D = fatal('src/d.ts', 'Parsing error: Unexpected token X');

  test.each<[string, unknown[], string | undefined, string[]]>([
    ['every file', [C, D], 'eslint could not parse 2 of 2 files: Parsing error: Unexpected token : (src/c.ts:1)', []],
    [
      'all but the JavaScript config',
      [clean('eslint.config.js'), C, D],
      'eslint could not parse 2 of 3 files: Parsing error: Unexpected token : (src/c.ts:1)',
      []
    ],
    [
      'half, the rest still reported',
      [unused('src/a.js'), C, D, clean('b.js')],
      'eslint could not parse 2 of 4 files: Parsing error: Unexpected token : (src/c.ts:1)',
      ['src/a.js:1 no-unused-vars']
    ],
    ['a lone syntax error is a finding', [C], undefined, ['src/c.ts:1 syntax']],
    ['a minority of files is N findings', [C, D, clean('a.js'), clean('b.js'), clean('e.js')], undefined, ['src/c.ts:1 syntax', 'src/d.ts:1 syntax']]
  ])('%s', (_, results, failure, findings) => {
    const parsed = parseEslintJson(JSON.stringify(results), { projectRoot: '/tmp/lt', repositoryRoot: '/tmp/lt' });
    expect(parsed.failure).toBe(failure);
    expect(parsed.findings.map((f) => `${f.path}:${f.line} ${f.code}`)).toEqual(findings);
    expect(parsed.warnings).toEqual([]);
  });
});

describe('crashLine: why a linter crashed, in one line', () => {
  test.each<[string, string, string, string]>([
    [
      'eslint 9 (exit 2): the message after its banner',
      '\nOops! Something went wrong! :(\n\nESLint: 9.39.5\n\nConfiguration for rule "no-unused-vars" is invalid. Expected severity of "off", 0, "warn", 1, "error", or 2.\n\nYou passed \'"eror"\'.\n',
      '',
      'Configuration for rule "no-unused-vars" is invalid. Expected severity of "off", 0, "warn", 1, "error", or 2.'
    ],
    [
      'ruff 0.x (exit 2): the first cause joined on',
      'ruff failed\n  Cause: Failed to parse /tmp/rf/pyproject.toml\n  Cause: TOML parse error at line 2, column 15\n',
      '',
      'ruff failed: Failed to parse /tmp/rf/pyproject.toml'
    ],
    [
      "flake8's traceback (exit 1, nothing on stdout): its last line",
      'Traceback (most recent call last):\n  File "x.py", line 819, in _get\n    return conv(self.get(section, option, **kwargs))\nValueError: invalid literal for int() with base 10: \'abc\'\n',
      '',
      "ValueError: invalid literal for int() with base 10: 'abc'"
    ],
    ['colour codes removed', '\u001b[31m\u001b[1mInternal Error\u001b[22m\u001b[39m: ENOENT', '', 'Internal Error: ENOENT'],
    ['stdout when stderr is silent', '', 'config not found\n', 'config not found'],
    ['nothing said', '', '  \n', '']
  ])('%s', (_, stderr, stdout, expected) => {
    expect(crashLine(stderr, stdout)).toBe(expected);
  });

  test('a very long line is cut', () => {
    expect(crashLine('x'.repeat(1000))).toHaveLength(300);
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzzing

const PIECES = [
  ':',
  '::',
  '1',
  '0',
  '-1',
  '99999999999999999999999',
  '1e400',
  'NaN',
  ' ',
  '\n',
  '\r\n',
  '\\',
  '/',
  'C:',
  './',
  '../',
  'E501',
  'error:',
  'note:',
  '[*]',
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  'null',
  'true',
  '"filename":',
  '"location":',
  '"row":',
  '"column":',
  '"filePath":',
  '"messages":',
  '"severity":',
  '"line":',
  '"code":',
  '\u0000',
  '🚀',
  'é',
  '__proto__',
  'constructor'
];

/** Every finding has a path, positive line and columns, a known severity and text; warnings are a list. */
function findingsProblems(result: FindingsParse): string[] {
  const problems: string[] = [];
  const isPositive = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;
  if (!Array.isArray(result.warnings)) problems.push('warnings is not an array');
  for (const f of result.findings) {
    if (typeof f.path !== 'string' || f.path === '') problems.push(`bad path ${JSON.stringify(f)}`);
    if (!isPositive(f.line)) problems.push(`bad line ${JSON.stringify(f)}`);
    for (const n of [f.column, f.endLine, f.endColumn]) if (n !== undefined && !isPositive(n)) problems.push(`bad position ${JSON.stringify(f)}`);
    if (!['error', 'warning', 'notice'].includes(f.severity)) problems.push(`bad severity ${JSON.stringify(f)}`);
    if (typeof f.code !== 'string' || typeof f.message !== 'string') problems.push(`bad text ${JSON.stringify(f)}`);
  }
  return problems;
}

const expectSane = (result: FindingsParse): void => expectNoProblems(findingsProblems(result));

describe('findings parsers: fuzz', () => {
  const parsers = [parseRuffJson, parseLineFindings, parseEslintJson];
  const fixtures = [RUFF_JSON, RUFF_CONCISE, FLAKE8, ESLINT_JSON];

  test('3,000 mutations of real output through every parser', () => {
    for (const text of mutations(fixtures, 3000, random(21), { tokens: PIECES, maxSpan: 30, duplicate: false, maxEdits: 5 })) {
      for (const parse of parsers) expectSane(parse(text, { projectRoot: ROOT }));
    }
  });

  test('2,000 random strings of pieces and bytes', () => {
    const next = random(22);
    for (const text of times(2000, (i) => (i % 2 === 0 ? tokenSoup(next, PIECES, 60) : byteString(next, 200)))) {
      for (const parse of parsers) expectSane(parse(text));
    }
  });

  test('random JSON values in the right shape', () => {
    const next = random(23);
    const values: unknown[] = [null, true, 0, -1, 1.5, 1e308, -1e308, 'x', '', '3', [], {}, [1], { row: 2 }, 'a.py', '/abs/a.py'];
    const value = () => pick(next, values);
    for (let i = 0; i < 1000; i += 1) {
      const ruff = [{ code: value(), filename: value(), location: { row: value(), column: value() }, end_location: value(), message: value() }];
      const eslint = [
        {
          filePath: value(),
          messages: [{ ruleId: value(), severity: value(), line: value(), column: value(), endLine: value(), message: value(), fatal: value() }, value()]
        }
      ];
      expectSane(parseRuffJson(JSON.stringify(ruff)));
      expectSane(parseEslintJson(JSON.stringify(eslint)));
    }
  });

  test('a 20,000-line flake8 report is read whole', () => {
    const lines = Array.from(
      { length: 20_000 },
      (_, i) => `./pkg${i % 50}/mod${i % 300}.py:${(i % 400) + 1}:${(i % 79) + 1}: E501 line too long (${80 + (i % 40)} > 79 characters)`
    );
    const { findings } = parseFlake8(lines.join('\n'), { projectRoot: ROOT });
    expect(findings).toHaveLength(20_000);
  });
});
