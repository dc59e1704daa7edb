// How Slipway's report options reach a test runner the `test` script runs, and small path helpers
// the runner plans share.
import { posix } from 'node:path';
import type { Command } from '../../ecosystem.js';
import { runScript, type ScriptRunner } from '../package-manager.js';
import type { ScriptCall } from '../scripts.js';

/** The runner's main module, as its process sees it (`process.argv[1]`, symlinks resolved). */
const RUNNER_MAIN: Record<'jest' | 'vitest' | 'mocha', string> = {
  jest: '(^|/)jest(-cli)?/bin/jest(\\.js)?$',
  vitest: '(^|/)vitest/vitest\\.mjs$',
  mocha: '(^|/)mocha/bin/_?mocha(\\.js)?$'
};

export interface Delivery {
  command: Command;
  writes: Array<{ path: string; text: string }>;
  notes: string[];
}

export interface DeliveryInput {
  manager: ScriptRunner;
  reportDir: string;
  /** The NODE_OPTIONS the tests would inherit; Slipway's additions go after it. */
  nodeOptions?: string;
}

/**
 * How the options reach the runner. When it is the `test` script's own last command they are
 * appended (`npm test -- --json …`) and show in the log. Anywhere else (`jest && eslint .`, or
 * `npm run lint && npm run test:unit`) appending would hand them to another program, and running
 * parts of the script ourselves would change what runs (pre/post scripts, `&&`/`||`, the npm_*
 * variables). So the script runs exactly as written, each command once, and a preload named in
 * NODE_OPTIONS adds the options to the runner's own command line when its process starts. Every
 * node process of the script loads it; only the one whose main module is the runner's is changed,
 * and only once (its child processes are left alone). It works the same under npm, yarn and pnpm,
 * however deep the `npm run` chain.
 */
export function deliver(input: DeliveryInput, found: ScriptCall, runner: keyof typeof RUNNER_MAIN, args: string[]): Delivery {
  if (found.direct || args.length === 0) return { command: runScript(input.manager, 'test', found.direct ? args : []), writes: [], notes: [] };
  const preload = posix.join(input.reportDir, 'slipway-runner-options.cjs');
  const command = runScript(input.manager, 'test', []);
  command.env = { ...command.env, NODE_OPTIONS: [input.nodeOptions?.trim(), nodeOption('--require', preload)].filter(Boolean).join(' ') };
  const where = found.script === 'test' ? 'the `test` script' : `the \`${found.script}\` script (run by \`test\`)`;
  return {
    command,
    writes: [{ path: preload, text: preloadText(RUNNER_MAIN[runner], args) }],
    notes: [
      `${runner} is not the last command of the \`test\` script but runs in ${where}: Slipway adds ${args.join(' ')} to its command line when it starts (a preload in NODE_OPTIONS)`
    ]
  };
}

/** The preload: plain CommonJS, so it loads in any project (ESM, Yarn Plug'n'Play). */
function preloadText(main: string, args: string[]): string {
  return `// Written by Slipway: adds its report options to the test runner's command line.
'use strict';
(() => {
  const MAIN = new RegExp(${JSON.stringify(main)});
  const ARGS = ${JSON.stringify(args)};
  const MARK = 'SLIPWAY_RUNNER_OPTIONS_ADDED';
  const main = process.argv[1];
  if (!main || process.env[MARK]) return;
  let real = main;
  try {
    real = require('fs').realpathSync(main);
  } catch {}
  if (!MAIN.test(real.replace(/\\\\/g, '/')) && !MAIN.test(main.replace(/\\\\/g, '/'))) return;
  process.env[MARK] = '1';
  const dashes = process.argv.indexOf('--', 2);
  process.argv.splice(dashes < 0 ? process.argv.length : dashes, 0, ...ARGS);
})();
`;
}

/** The note for a runner the script calls more than once: each run would overwrite the last one's reports. */
export function severalRunsNote(runner: string, count: number): string {
  return `the \`test\` script runs ${runner} ${count} times, and Slipway cannot tell their reports apart: it reads only the exit code (set \`test-report\` to the reports the runs write)`;
}

/** A report path the test script names, relative to the project. */
export function resolveIn(root: string | undefined, path: string): string {
  if (path.startsWith('/') || root === undefined) return path;
  return posix.join(root, path);
}

/** `--name=value` for NODE_OPTIONS, double-quoted when the value has blanks or quotes. */
export function nodeOption(name: string, value: string): string {
  return /[\s"'\\]/.test(value) ? `${name}="${value.replace(/(["\\])/g, '\\$1')}"` : `${name}=${value}`;
}
