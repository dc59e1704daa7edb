/**
 * The process adapter (over @actions/exec) with real programs: argument arrays, the child's
 * environment and PATH, every line to the listener, stdin; and the run's marker, by which a cancel or
 * the post step finds and stops what the run started (Linux: /proc).
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { processRunner, RUN_MARKER } from '../../src/adapters/process.js';
import { markedProcesses, stopMarked } from '../../src/cancel.js';
import { makeTempDir, removeTempDirs } from './support/workspace.js';

afterAll(() => removeTempDirs());

const SECRET = 'hunter2-secret';
const base = { PATH: process.env['PATH'], HOME: process.env['HOME'], CARRIER: `x${SECRET}x`, INPUT_TOKEN: 'in' };
const runner = processRunner(base, () => [SECRET]);
const cwd = makeTempDir('slipway-process-');

describe('running a program', () => {
  test('arguments reach it as given: no shell expands them', async () => {
    const result = await runner.run('printf', ['%s|', 'a b', '$HOME', '*', '; ls'], { cwd });
    expect(result).toMatchObject({ code: 0, stdout: 'a b|$HOME|*|; ls|', stderr: '' });
  });

  test('each line reaches the listener, CRLF and a last line without a line break too', async () => {
    const lines: string[] = [];
    const result = await runner.run('sh', ['-c', 'printf "one\\r\\ntwo\\n"; printf "err\\n" >&2; printf three'], {
      cwd,
      onLine: (line, stream) => lines.push(`${stream}: ${line}`)
    });
    expect(lines.filter((line) => line.startsWith('stdout'))).toEqual(['stdout: one', 'stdout: two', 'stdout: three']);
    expect(lines.filter((line) => line.startsWith('stderr'))).toEqual(['stderr: err']);
    expect(result.stdout).toBe('one\r\ntwo\nthree');
  });

  test('input goes to stdin; without input stdin ends at once (a prompt never waits)', async () => {
    expect((await runner.run('cat', [], { cwd, input: 'pw\n' })).stdout).toBe('pw\n');
    expect((await runner.run('cat', [], { cwd })).stdout).toBe('');
  });

  test('programs that end without reading their stdin are no crash (the write to it may fail: EPIPE)', async () => {
    for (let i = 0; i < 200; i++) expect((await runner.run('true', [], { cwd, input: i % 2 ? 'x' : undefined })).code).toBe(0);
  });

  test('its environment: the overlay, the run marker; no inputs, no secret', async () => {
    const script = 'echo "$EXTRA|${SLIPWAY_RUN}|${CARRIER-none}|${INPUT_TOKEN-none}"; exit 3';
    const result = await runner.run('sh', ['-c', script], { cwd, env: { EXTRA: 'x' } });
    expect(result).toMatchObject({ code: 3, stdout: `x|${runner.runId}|none|none\n` });
    // Inside an outer run (Slipway testing Slipway) the outer marker stays beside this run's.
    const inner = processRunner({ ...base, [RUN_MARKER]: 'outer-run' }, () => []);
    expect((await inner.run('sh', ['-c', 'echo "$SLIPWAY_RUN"'], { cwd })).stdout).toBe(`outer-run ${inner.runId}\n`);
  });

  test("a bare name is looked up on the child's PATH; a missing program is named", async () => {
    const bin = makeTempDir('slipway-bin-');
    writeFileSync(path.join(bin, 'venv-tool'), '#!/bin/sh\necho from venv\n');
    chmodSync(path.join(bin, 'venv-tool'), 0o755);
    const result = await runner.run('venv-tool', [], { cwd, env: { PATH: `${bin}:${base.PATH}` } });
    expect(result.stdout).toBe('from venv\n');
    await expect(runner.run('venv-tool', [], { cwd })).rejects.toThrow('`venv-tool` was not found (is it installed and on PATH?)');
  });

  test('a program ended by a signal has no exit code of its own: 128', async () => {
    expect((await runner.run('sh', ['-c', 'kill -9 $$'], { cwd })).code).toBe(128);
  });
});

describe("the run's marker", () => {
  test('finds what the run started, after its parent is gone too, and stops it', async () => {
    const marked = processRunner(base, () => []);
    const started = await marked.run('sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], { cwd });
    const sleeper = Number(started.stdout.trim());
    expect(markedProcesses(marked.runId).map((found) => found.pid)).toEqual([sleeper]);
    expect(markedProcesses(runner.runId).map((found) => found.pid)).not.toContain(sleeper);
    expect(stopMarked(marked.runId, 1000)).toBe(1);
    expect(markedProcesses(marked.runId)).toEqual([]);
  });

  test('a program and what it started count once', async () => {
    const marked = processRunner(base, () => []);
    const running = marked.run('sh', ['-c', 'sleep 30 & sleep 30 & wait'], { cwd });
    for (let tries = 0; tries < 100 && markedProcesses(marked.runId).length < 3; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(
      markedProcesses(marked.runId)
        .map((found) => found.underMarked)
        .sort()
    ).toEqual([false, true, true]);
    expect(stopMarked(marked.runId, 1000)).toBe(1);
    expect((await running).code).not.toBe(0);
  });
});
