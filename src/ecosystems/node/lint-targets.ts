// What the project's own `lint` script asks eslint to lint: its targets and the options that choose
// files, configuration and rules. Slipway runs eslint with those and its own reporter options.
import { posix } from 'node:path';
import { programOf, splitScript, type ProgramCall } from './scripts.js';

export interface EslintCall {
  /** Options kept from the script, in its order (`--ext .ts`, `-c eslint.ci.js`). */
  options: string[];
  /** Files, folders and globs the script names; empty when it names none. */
  targets: string[];
}

/** Options that take a separate value (`--ext .ts`), ESLint 8 and 9. */
const TAKES_VALUE = new Set([
  '-c',
  '--config',
  '--ext',
  '--ignore-path',
  '--ignore-pattern',
  '--resolve-plugins-relative-to',
  '--parser',
  '--parser-options',
  '--env',
  '--global',
  '--plugin',
  '--rule',
  '--rulesdir',
  '--report-unused-disable-directives-severity',
  '--flag',
  '--concurrency',
  '-f',
  '--format',
  '-o',
  '--output-file',
  '--fix-type',
  '--cache-location',
  '--cache-file',
  '--cache-strategy',
  '--max-warnings',
  '--stdin-filename'
]);

/**
 * Options Slipway drops: its reporter options replace the output ones; --fix would rewrite the
 * checkout and --cache writes .eslintcache into it; --max-warnings is the script's pass/fail budget
 * (Slipway reports every finding and `lint-blocking` decides); --exit-on-fatal-error turns a parse
 * error into exit code 2, which means a broken linter here.
 */
const DROPPED = new Set([
  '-f',
  '--format',
  '-o',
  '--output-file',
  '--fix',
  '--fix-dry-run',
  '--fix-type',
  '--cache',
  '--cache-location',
  '--cache-file',
  '--cache-strategy',
  '--max-warnings',
  '--color',
  '--no-color',
  '--debug',
  '--exit-on-fatal-error',
  '--stats'
]);

/** Options that make eslint do something else than lint files: such a call is not followed. */
const NOT_LINTING = /^(-h|--help|-v|--version|--init|--env-info|--print-config|--inspect-config|--stdin|--mcp)$/;

/** How scripts run other scripts: `npm run x`, `yarn x`, `yarn run x`, `pnpm x`, `pnpm run x`. */
const MANAGERS = new Set(['npm', 'yarn', 'pnpm']);

/**
 * The eslint call of the `lint` script, or of a script it runs (`npm run lint:js`, one level deep);
 * the first one found. Undefined when the scripts run no eslint Slipway can follow.
 */
export function eslintCallOf(scripts: Record<string, string>, name = 'lint'): EslintCall | undefined {
  return findCall(scripts, name, 1);
}

function findCall(scripts: Record<string, string>, name: string, depth: number): EslintCall | undefined {
  const script = scripts[name];
  if (script === undefined) return undefined;
  for (const words of splitScript(script)) {
    const call = programOf(words);
    if (!call) continue;
    const args = eslintArgs(call);
    if (args) return readCall(args);
    const inner = depth > 0 ? scriptRun(call, scripts) : undefined;
    if (inner !== undefined && inner !== name) {
      const found = findCall(scripts, inner, depth - 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** The arguments of eslint, run directly or as `node node_modules/eslint/bin/eslint.js`. */
function eslintArgs(call: ProgramCall): string[] | undefined {
  if (call.program === 'eslint') return call.args;
  if (call.program === 'node' && call.args[0] !== undefined && posix.basename(call.args[0]).replace(/\.(c|m)?js$/, '') === 'eslint') {
    return call.args.slice(1);
  }
  return undefined;
}

/** The script another script runs through the package manager, when it is one of the project's. */
function scriptRun(call: ProgramCall, scripts: Record<string, string>): string | undefined {
  if (!MANAGERS.has(call.program)) return undefined;
  const words = call.args.filter((word) => !word.startsWith('-'));
  const named = words[0] === 'run' || words[0] === 'run-script' ? words[1] : call.program === 'npm' ? undefined : words[0];
  return named !== undefined && scripts[named] !== undefined ? named : undefined;
}

function readCall(args: string[]): EslintCall | undefined {
  const options: string[] = [];
  const targets: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (/[<>]/.test(word)) {
      if (/^\d*>{1,2}$|^<$/.test(word)) i++; // `> out.txt`: the next word is the file
      continue; // redirections belong to the shell
    }
    if (word === '--') {
      targets.push(...args.slice(i + 1));
      break;
    }
    if (!word.startsWith('-')) {
      targets.push(word);
      continue;
    }
    const [flag] = word.split('=', 1);
    if (NOT_LINTING.test(flag)) return undefined;
    const value = !word.includes('=') && TAKES_VALUE.has(flag) && i + 1 < args.length ? args[++i] : undefined;
    if (DROPPED.has(flag)) continue;
    options.push(word, ...(value !== undefined ? [value] : []));
  }
  return { options, targets };
}
