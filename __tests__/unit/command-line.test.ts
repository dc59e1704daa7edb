import { describe, expect, test } from '@jest/globals';
import { formatCommand, splitCommandLine, splitCommands } from '../../src/command-line.js';

describe('splitCommandLine', () => {
  test.each<[string, string[]]>([
    ['pytest -x tests', ['pytest', '-x', 'tests']],
    ['  pytest   -x  ', ['pytest', '-x']],
    [`pytest -k "slow and not db"`, ['pytest', '-k', 'slow and not db']],
    [`bash -c 'pip install -r a.txt && pip check'`, ['bash', '-c', 'pip install -r a.txt && pip check']],
    [`echo "a \\"quoted\\" word"`, ['echo', 'a "quoted" word']],
    [`echo a\\ b`, ['echo', 'a b']],
    [`echo ''`, ['echo', '']],
    ['echo $(reboot); rm -rf /', ['echo', '$(reboot);', 'rm', '-rf', '/']],
    ['', []]
  ])('%j', (line, expected) => {
    expect(splitCommandLine(line)).toEqual(expected);
  });

  test.each([`echo "open`, `echo 'open`])('%j has an unclosed quote', (line) => {
    expect(() => splitCommandLine(line)).toThrow(/unclosed/);
  });
});

test('splitCommands takes one command a line, skipping blanks and comments', () => {
  expect(splitCommands('pip install a\n\n# note\n  pip install b  \n')).toEqual([
    ['pip', 'install', 'a'],
    ['pip', 'install', 'b']
  ]);
});

test.each<[string[], string]>([
  [['pytest', '-x'], 'pytest -x'],
  [['bash', '-c', "it's"], `bash -c 'it'\\''s'`],
  [['a b'], `'a b'`]
])('formatCommand(%j)', (args, expected) => {
  expect(formatCommand(args)).toBe(expected);
  expect(splitCommandLine(formatCommand(args))).toEqual(args);
});
