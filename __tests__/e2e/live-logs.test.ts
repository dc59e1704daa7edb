/**
 * End to end, on the BUNDLED action: a stage's output reaches the step's log while the stage runs
 * (inside the stage's group, as text), and what a person reads afterwards — the stage lines, the job
 * summary, the annotations — is as it was; a cancelled run keeps the lines it printed.
 *
 * The project is `bare-unittest` (standard library only: nothing to install) with one more test
 * file: a test that prints a line, waits two seconds, prints another, and a test that fails.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { groupLines, runAction, type ActionResult, type RunActionOptions } from './support/action-runner.js';
import { expectFailure } from './support/assertions.js';
import { createWorkspace, removeTempDirs } from './support/workspace.js';

afterAll(() => removeTempDirs());

const SLOW_TESTS = `import time
import unittest


class Slow(unittest.TestCase):
    def test_prints_then_waits(self):
        print("live-one", flush=True)
        time.sleep(2)
        print("live-two", flush=True)

    def test_fails(self):
        self.assertEqual(1, 2)
`;

interface Chunk {
  text: string;
  at: number;
}

async function runStreaming(options: Partial<RunActionOptions> = {}): Promise<{ result: ActionResult; chunks: Chunk[] }> {
  const workspace = createWorkspace('bare-unittest');
  writeFileSync(path.join(workspace, 'test_slow.py'), SLOW_TESTS);
  const chunks: Chunk[] = [];
  const result = await runAction({
    workspace,
    timeoutMs: 60_000,
    ...options,
    inputs: { cache: false, ...options.inputs },
    onStdout: (text, at) => chunks.push({ text, at })
  });
  return { result, chunks };
}

/** When the first chunk matching `pattern` arrived. */
function arrival(chunks: Chunk[], pattern: RegExp): number {
  const chunk = chunks.find(({ text }) => pattern.test(text));
  if (!chunk) throw new Error(`nothing printed matched ${pattern}:\n${chunks.map(({ text }) => text).join('')}`);
  return chunk.at;
}

describe("a stage's output shows while the stage runs", () => {
  test('the tests print their first line two seconds before their last; summary and annotations as before', async () => {
    const { result, chunks } = await runStreaming();
    expectFailure(result);
    const first = arrival(chunks, /live-one/);
    const second = arrival(chunks, /live-two/);
    const stageEnded = arrival(chunks, /^✗ test /m);
    // Printed as it came (held until the stage ended, both would arrive together with its stage line).
    expect(second - first).toBeGreaterThanOrEqual(1500);
    expect(first).toBeLessThan(stageEnded);
    // Inside the test stage's group, which ends before its stage line.
    const inGroup = groupLines(result, 'test');
    expect(inGroup.some((line) => line.includes('live-one'))).toBe(true);
    expect(inGroup.some((line) => line.includes('live-two'))).toBe(true);
    expect(result.groups).toEqual(['install', 'test']);
    const lines = result.stdout.split('\n');
    expect(lines.indexOf('::endgroup::', lines.indexOf('::group::test'))).toBeLessThan(lines.findIndex((line) => line.startsWith('✗ test ')));
    // What is read afterwards: the outputs, the job summary, the failing test's annotation, the step's failure.
    expect(result.outputs).toMatchObject({ 'tests-passed': '3', 'tests-failed': '1', result: 'failure' });
    expect(result.summary).toMatch(/\| *Stage *\| *Result *\| *Time *\|/);
    expect(result.summary).toMatch(/test_fails/);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors).toEqual([
      expect.objectContaining({ file: 'test_slow.py', line: 12, title: expect.stringContaining('test_fails') }),
      expect.objectContaining({ message: expect.stringMatching(/^test: .*test_fails/) })
    ]);
  });

  test('a cancelled run keeps the lines it printed; its group is closed before the cancel is reported', async () => {
    // The line is out a second before the cancel, so the step has read it.
    const { result } = await runStreaming({
      inputs: { lint: false, 'test-command': `bash -c 'echo before-cancel; sleep 1; kill -TERM $PPID; sleep 60'` }
    });
    expect(result.code).toBe(143);
    expect(groupLines(result, 'test')).toContain('before-cancel');
    const lines = result.stdout.split('\n');
    const cancelled = lines.findIndex((line) => line.startsWith('Cancelled (SIGTERM): stopped 1 running program'));
    expect(cancelled).toBeGreaterThan(lines.lastIndexOf('::endgroup::'));
    expect(lines.lastIndexOf('::endgroup::')).toBeGreaterThan(lines.indexOf('::group::test'));
  });
});
