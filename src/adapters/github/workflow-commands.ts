// What @actions/core leaves to its callers: printing text that stays text (core.info writes a line
// such as `::add-mask::x` or `##[set-env …]` as is, and the runner would obey it), and outputs and
// state through the runner's files only (core falls back to the deprecated `::set-output` and
// `::save-state` commands on stdout when the file is missing).
import * as core from '@actions/core';
import { randomUUID } from 'node:crypto';

/**
 * Whether the runner could read this line as a command: `::name::…` after leading white space, or
 * the older `##[name]…` form anywhere in the line.
 */
export function isCommandLike(line: string): boolean {
  return line.trimStart().startsWith('::') || line.includes('##[');
}

/**
 * Prints lines as text, never as commands: when any of them could be read as one, all of them go
 * inside a stop-commands block whose token is random, so no line can end it early.
 */
export function printText(lines: readonly string[]): void {
  if (!lines.some(isCommandLike)) {
    for (const line of lines) core.info(line);
    return;
  }
  const token = randomUUID();
  core.info(`::stop-commands::${token}`);
  for (const line of lines) core.info(line);
  core.info(`::${token}::`);
}

export const info = (message: string): void => printText(message.split(/\r?\n|\r/));

/** Masks the value in everything the runner prints from now on (each line of a multi-line value). */
export function setSecret(value: string): void {
  for (const line of value.split(/\r?\n/)) if (line.trim()) core.setSecret(line);
}

/** A step output, written to GITHUB_OUTPUT (a heredoc with a random delimiter); dropped outside a runner. */
export function setOutput(name: string, value: string): void {
  if (process.env.GITHUB_OUTPUT) core.setOutput(name, value);
}

/** Hands a value to this action's post step (as `STATE_<name>`); never a secret. */
export function saveState(name: string, value: string): void {
  if (process.env.GITHUB_STATE) core.saveState(name, value);
}
