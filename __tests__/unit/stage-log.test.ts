// A stage's log: kept whole, printed live into its section, sections printed in turn.
import { describe, expect, jest, test } from '@jest/globals';
import { githubReporter } from '../../src/adapters/github/reporter.js';
import { sectionsInTurn, StageLog, streamingTo, type SectionPrinter } from '../../src/stage-log.js';
import { Secrets } from '../../src/trust/secrets.js';
import { fakeRunner } from '../fixtures/fake-ports.js';

/** A printer that records what it was asked to print, in order. */
function recorder(): { printer: SectionPrinter; printed: string[] } {
  const printed: string[] = [];
  return {
    printed,
    printer: {
      start: (title) => printed.push(`[${title}]`),
      line: (text) => printed.push(text),
      end: () => printed.push('[end]'),
      after: (text) => printed.push(`after: ${text}`)
    }
  };
}

describe('StageLog', () => {
  test('made from a stage runner, it prints each line as it comes: the command, its output, notes', async () => {
    const sink: string[] = [];
    const runner = fakeRunner(() => ({ stdout: 'one\ntwo\n', stderr: 'warn\n' }));
    const log = new StageLog(streamingTo(runner, (line) => sink.push(line)));
    log.write('a note');
    await log.run('pytest', ['-q', 'secret-value'], { cwd: '/p', shownArgs: ['-q', 'hidden'] });
    expect(sink).toEqual(['a note', '$ pytest -q hidden', 'one', 'two', 'warn']);
    expect(log.lines).toEqual(sink);
    expect(runner.calls.map((call) => call.args)).toEqual([['-q', 'secret-value']]);
  });

  test('made from any other runner, it only keeps its lines; a sink may also be given', async () => {
    const kept = new StageLog(fakeRunner(() => ({ stdout: 'out\n' })));
    await kept.run('x', [], { cwd: '/' });
    expect(kept.lines).toEqual(['$ x', 'out']);
    const sink: string[] = [];
    new StageLog(fakeRunner(), (line) => sink.push(line)).write('given');
    expect(sink).toEqual(['given']);
  });
});

describe('sections in turn', () => {
  test('the first section streams; one opened beside it waits, then prints what it has and goes on live', () => {
    const { printer, printed } = recorder();
    const sections = sectionsInTurn(printer);
    const tests = sections.open('test');
    const lint = sections.open('lint');
    tests.line('t1');
    lint.line('l1');
    expect(printed).toEqual(['[test]', 't1']);
    tests.line('t2');
    tests.end('✓ test');
    expect(printed).toEqual(['[test]', 't1', 't2', '[end]', 'after: ✓ test', '[lint]', 'l1']);
    lint.line('l2');
    lint.end('! lint');
    expect(printed.slice(-4)).toEqual(['l1', 'l2', '[end]', 'after: ! lint']);
  });

  test('a later section that ended first prints in its turn, after the earlier one', () => {
    const { printer, printed } = recorder();
    const sections = sectionsInTurn(printer);
    const tests = sections.open('test');
    const lint = sections.open('lint');
    lint.line('l1');
    lint.end('! lint');
    tests.line('t1');
    expect(printed).toEqual(['[test]', 't1']);
    tests.end('✓ test');
    expect(printed).toEqual(['[test]', 't1', '[end]', 'after: ✓ test', '[lint]', 'l1', '[end]', 'after: ! lint']);
  });

  test('a section with no line has no group, only its closing line; lines after the end are dropped', () => {
    const { printer, printed } = recorder();
    const sections = sectionsInTurn(printer);
    const install = sections.open('install');
    install.end('✗ install');
    install.line('late');
    install.end('again');
    sections.open('test').end();
    expect(printed).toEqual(['after: ✗ install']);
  });

  test('interrupted (a cancel): every open section prints what it has, each closed, in order', () => {
    const { printer, printed } = recorder();
    const sections = sectionsInTurn(printer);
    const tests = sections.open('test');
    const lint = sections.open('lint');
    tests.line('t1');
    lint.line('l1');
    sections.interrupt();
    expect(printed).toEqual(['[test]', 't1', '[end]', '[lint]', 'l1', '[end]']);
  });
});

describe('the GitHub reporter', () => {
  test("a stage's section is a group; tool output that looks like a command stays text; the stage line follows", () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let lines: string[];
    try {
      const section = githubReporter(new Secrets()).section('test');
      section.line('collected 2 items');
      section.line('::error::not from Slipway');
      section.end('✓ test  1.0s  2 passed');
      lines = write.mock.calls
        .map(([chunk]) => String(chunk))
        .join('')
        .split('\n');
    } finally {
      write.mockRestore();
    }
    const token = /^::stop-commands::([0-9a-f-]{36})$/.exec(lines[2] ?? '')?.[1];
    expect(token).toBeDefined();
    expect(lines).toEqual([
      '::group::test',
      'collected 2 items',
      `::stop-commands::${token}`,
      '::error::not from Slipway',
      `::${token}::`,
      '::endgroup::',
      '✓ test  1.0s  2 passed',
      ''
    ]);
  });
});
