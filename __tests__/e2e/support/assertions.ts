/**
 * How an end-to-end test says a run of the action succeeded or failed, and what it prints when the
 * run went the other way (the tail of the log and stderr, so the reason is in the test report).
 *
 * A failure must be a report, not a crash: exit code 1, `result=failure`, and no stack frame where
 * a crash would put one.
 */
import { expect } from '@jest/globals';
import type { ActionResult } from './action-runner.js';

/** Any stack frame (`    at f (file.js:1:2)`, `    at native`): a crash, if it is Slipway's output. */
export const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;
/** A stack frame of Slipway itself (the bundle): a crash, not a report. The tests' own failures have frames too. */
export const SLIPWAY_FRAME = /^\s+at .*dist\/(index|cli)\.js:\d+:\d+\)?$/m;

export interface RunDescriptionOptions {
  /**
   * How many characters of the end of the log to show. A run whose tools print a lot (Slipway's
   * own unit tests and tsc) needs more to reach the reason it went the other way.
   */
  logTail?: number;
}

/** The exit code and the end of what the run printed, for the message of a failed expectation. */
export function describeRun(result: ActionResult, { logTail = 6000 }: RunDescriptionOptions = {}): string {
  return `exit ${result.code}\n--- log ---\n${result.log.slice(-logTail)}\n--- stderr ---\n${result.stderr.slice(-2000)}`;
}

export function expectSuccess(result: ActionResult, options: RunDescriptionOptions = {}): void {
  if (!result.ok) throw new Error(`the action failed: ${describeRun(result, options)}`);
  expect(result.outputs['result']).toBe('success');
}

export interface FailureOptions extends RunDescriptionOptions {
  /**
   * The project's own tools print stack frames to the log (a failing jest, node --test or vitest
   * test; corepack's errors), so there only frames of Slipway's bundle count as a crash. stderr
   * must still hold no frame at all.
   */
  toolFramesInLog?: boolean;
}

export function expectFailure(result: ActionResult, { toolFramesInLog = false, ...description }: FailureOptions = {}): void {
  if (result.ok) throw new Error(`the action succeeded, a failure was expected: ${describeRun(result, description)}`);
  expect(result.code).toBe(1);
  expect(result.outputs['result']).toBe('failure');
  expect(result.stderr).not.toMatch(STACK_FRAME);
  // SLIPWAY_FRAME is one kind of STACK_FRAME: the default is the stricter check.
  expect(result.stdout).not.toMatch(toolFramesInLog ? SLIPWAY_FRAME : STACK_FRAME);
}
