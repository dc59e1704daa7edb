// The runner's side of an action: inputs from INPUT_* variables, workflow commands on stdout, and the
// files the runner reads afterwards (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY). Written out rather than
// taken from @actions/core, whose import also loads an HTTP client for OIDC tokens Slipway never asks
// for: that costs ~90 ms of start-up on every run for a dozen one-line functions.
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import type { Annotation } from '../../ports.js';

/** An input as the runner passes it (`INPUT_<NAME>`, spaces as underscores), trimmed; '' when unset. */
export function getInput(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** A value the main step saved for this post step; '' when none. */
export function getState(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return env[`STATE_${name}`] ?? '';
}

/** Workflow command text: `::name key=value,…::message`, escaped so no value can end the command early. */
export function formatCommand(name: string, message: string, properties: Record<string, string | number | undefined> = {}): string {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

/** The runner's property names for an annotation's position. */
export function annotationProperties(annotation: Annotation = {}): Record<string, string | number | undefined> {
  return {
    title: annotation.title,
    file: annotation.file,
    line: annotation.startLine,
    endLine: annotation.endLine,
    col: annotation.startColumn,
    endColumn: annotation.endColumn
  };
}

/**
 * One output as the runner's GITHUB_OUTPUT file expects it: a heredoc whose delimiter is random, so
 * no value can close it and smuggle in another output.
 */
export function formatOutput(name: string, value: string, delimiter = `slipway_${randomUUID()}`): string {
  if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`output ${name}: the value contains its own delimiter`);
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
}

const write = (line: string): void => {
  process.stdout.write(line + EOL);
};

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
    for (const line of lines) write(line);
    return;
  }
  const token = randomUUID();
  write(`::stop-commands::${token}`);
  for (const line of lines) write(line);
  write(`::${token}::`);
}

export const info = (message: string): void => printText(message.split(/\r?\n|\r/));
export const debug = (message: string): void => write(formatCommand('debug', message));
export const annotate = (level: 'notice' | 'warning' | 'error', message: string, annotation?: Annotation): void =>
  write(formatCommand(level, message, annotationProperties(annotation)));
export const startGroup = (title: string): void => write(formatCommand('group', title));
export const endGroup = (): void => write('::endgroup::');
/** Masks the value in everything the runner prints from now on (each line of a multi-line value). */
export const setSecret = (value: string): void => {
  for (const line of value.split(/\r?\n/)) if (line.trim()) write(formatCommand('add-mask', line));
};

export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT;
  if (file) appendFileSync(file, formatOutput(name, value), 'utf8');
}

/** Hands a value to this action's post step (as `STATE_<name>`); never a secret. */
export function saveState(name: string, value: string): void {
  const file = process.env.GITHUB_STATE;
  if (file) appendFileSync(file, formatOutput(name, value), 'utf8');
}

/** Fails the step: an error annotation with the message, and exit code 1 when the process ends. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  annotate('error', message);
}

/** Appends markdown to the job summary; false when the runner gave no summary file. */
export function appendSummary(markdown: string): boolean {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  appendFileSync(file, markdown.endsWith(EOL) ? markdown : markdown + EOL, 'utf8');
  return true;
}

function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
