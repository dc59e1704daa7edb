// Reading package.json scripts: which programs a script runs, and which options it already sets.
import { posix } from 'node:path';

/** One simple command of a shell script line, split into words. */
type Words = string[];

/** Splits a script into simple commands at `&&`, `||`, `;`, `|`, `&` (outside quotes), each into words. */
export function splitScript(script: string): Words[] {
  const commands: Words[] = [];
  let words: string[] = [];
  let word = '';
  let quoted = false;
  const endWord = (): void => {
    if (word !== '' || quoted) words.push(word);
    word = '';
    quoted = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    if (ch === "'" || ch === '"') {
      const close = script.indexOf(ch, i + 1);
      const end = close < 0 ? script.length : close;
      word += ch === '"' ? script.slice(i + 1, end).replace(/\\(["\\$`])/g, '$1') : script.slice(i + 1, end);
      quoted = true;
      i = end;
    } else if (ch === '\\' && i + 1 < script.length) {
      word += script[++i];
    } else if (/\s/.test(ch)) {
      endWord();
    } else if (ch === '&' && (word.endsWith('>') || script[i + 1] === '>')) {
      word += ch; // a redirection: 2>&1, &>file
    } else if (ch === ';' || ch === '|' || ch === '&') {
      if (script[i + 1] === ch) i++;
      endCommand();
    } else {
      word += ch;
    }
  }
  endCommand();
  return commands;
}

/** Commands that run the next word as a program (`cross-env A=1 jest`, `npx jest`, `pnpm exec jest`). */
const WRAPPERS = new Set(['cross-env', 'env', 'npx', 'pnpx', 'dotenv', 'dotenv-cli', 'time', 'nice', 'exec', 'nyc', 'c8']);
/** Options of the coverage wrappers that take a separate value (`c8 -r lcov mocha`). */
const COVERAGE_VALUE_OPTIONS =
  /^(-r|--reporter|--report-dir|-o|--temp-directory|--temp-dir|-t|-n|--include|-x|--exclude|-e|--extension|--src|--cwd|-i|--require)$/;

export interface ProgramCall {
  /** `jest`, `vitest`, `node`, `eslint`, … (a path's basename without `.js`). */
  program: string;
  /** Node's own options, for `node [options] script`. */
  nodeOptions: string[];
  /** The words after the program (its arguments). */
  args: string[];
  /** The words before it: variable assignments and wrappers with their options (`c8 -r lcov`). */
  via: string[];
}

/** What a simple command runs, seen through env assignments, wrappers and `node <bin script>`. */
export function programOf(words: Words): ProgramCall | undefined {
  let i = 0;
  while (i < words.length) {
    const word = words[i];
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) i++;
    else if (WRAPPERS.has(word)) {
      i++;
      if (word === 'dotenv' || word === 'dotenv-cli') {
        const dashes = words.indexOf('--', i);
        if (dashes >= 0) i = dashes + 1;
      }
      while (i < words.length && words[i].startsWith('-') && word !== 'env') {
        if ((word === 'c8' || word === 'nyc') && COVERAGE_VALUE_OPTIONS.test(words[i])) i++;
        i++;
      }
    } else if ((word === 'pnpm' || word === 'yarn' || word === 'npm') && (words[i + 1] === 'exec' || words[i + 1] === 'dlx')) {
      i += 2;
      if (words[i] === '--') i++;
    } else break;
  }
  const program = words[i];
  if (program === undefined) return undefined;
  const via = words.slice(0, i);
  const name = programName(program);
  if (name !== 'node') return { program: name, nodeOptions: [], args: words.slice(i + 1), via };
  let j = i + 1;
  const nodeOptions: string[] = [];
  while (j < words.length && words[j].startsWith('-')) {
    nodeOptions.push(words[j]);
    // options that take a separate value
    if (
      /^(-r|--require|--import|--loader|--experimental-loader|--test-reporter|--test-reporter-destination|--test-name-pattern|--env-file)$/.test(words[j]) &&
      j + 1 < words.length
    ) {
      nodeOptions.push(words[++j]);
    }
    j++;
  }
  const script = words[j];
  if (nodeOptions.includes('--test') || script === undefined) return { program: 'node', nodeOptions, args: words.slice(j), via };
  const inner = programName(script);
  if (inner === 'jest' || inner === 'vitest' || inner === 'mocha' || inner === '_mocha') {
    return { program: inner === '_mocha' ? 'mocha' : inner, nodeOptions, args: words.slice(j + 1), via };
  }
  return { program: 'node', nodeOptions, args: words.slice(j), via };
}

/** `./node_modules/.bin/jest` → jest; `node_modules/jest/bin/jest.js` → jest; `vitest.mjs` → vitest. */
function programName(word: string): string {
  const base = posix.basename(word.replace(/\\/g, '/')).replace(/\.(c|m)?js$/, '');
  if (/(^|\/)jest\/bin\/jest(\.js)?$/.test(word)) return 'jest';
  if (/(^|\/)vitest\/vitest(\.mjs)?$/.test(word)) return 'vitest';
  if (/(^|\/)mocha\/bin\/(_?mocha)(\.js)?$/.test(word) || base === '_mocha') return 'mocha';
  return base;
}

export type NodeTestRunner = 'jest' | 'vitest' | 'mocha' | 'node' | 'other' | 'none';

/** npm writes this `test` script into every new package.json. */
const NPM_DEFAULT_TEST = /no test specified/;

export interface InstalledRunners {
  jest: boolean;
  vitest: boolean;
  mocha?: boolean;
}

/**
 * Which runner the `test` script runs: anywhere in it, and in the scripts it runs through
 * `npm run x`, `yarn x` or `pnpm x` (see scriptCalls). tests.ts decides how the runner is told to
 * write its reports: arguments when it is the script's own last command, else NODE_OPTIONS.
 */
export function detectNodeTestRunner(script: string | undefined, installed: InstalledRunners, scripts: Record<string, string> = {}): NodeTestRunner {
  if (script === undefined || script.trim() === '' || NPM_DEFAULT_TEST.test(script)) return 'none';
  const calls = scriptCalls({ ...scripts, test: script });
  const known = (call: ScriptCall): NodeTestRunner | undefined =>
    (['jest', 'vitest', 'mocha', 'node'] as const).find((runner) => isRunnerCall(call.call, runner) && (runner === 'node' || installed[runner] === true));
  const last = calls.find((call) => call.direct);
  const runner = (last && known(last)) ?? calls.map(known).find((found) => found !== undefined);
  return runner ?? 'other';
}

/** Whether a command runs the given runner (vitest's subcommands that run no tests do not count). */
export function isRunnerCall(call: ProgramCall | undefined, runner: 'jest' | 'vitest' | 'mocha' | 'node'): call is ProgramCall {
  if (call === undefined) return false;
  if (runner === 'node') return call.program === 'node' && call.nodeOptions.includes('--test');
  if (runner === 'vitest') return call.program === 'vitest' && !/^(bench|list|typecheck|init)$/.test(call.args[0] ?? '');
  return call.program === runner;
}

/** One simple command the `test` script runs, directly or through another script. */
export interface ScriptCall {
  call: ProgramCall | undefined;
  /** The package.json script the command is written in. */
  script: string;
  /** Wrappers of the commands that led here (`c8 npm run unit` → c8's words), outermost first. */
  via: string[];
  /** The last command of the `test` script itself: arguments appended to `npm test -- …` reach it alone. */
  direct: boolean;
}

/**
 * Every simple command a script runs, in order, following `npm run x`, `npm test`, `yarn [run] x`
 * and `pnpm [run] x` into package.json's other scripts (with the arguments they pass on). A script
 * already being expanded (a cycle) is not entered again: that command counts as unrecognised.
 */
export function scriptCalls(scripts: Record<string, string>, name = 'test'): ScriptCall[] {
  const out: ScriptCall[] = [];
  const expand = (script: string, extra: string[], via: string[], stack: string[]): void => {
    const commands = splitScript(scripts[script] ?? '');
    if (extra.length > 0 && commands.length > 0) commands[commands.length - 1] = [...commands[commands.length - 1], ...extra];
    commands.forEach((words, i) => {
      const call = programOf(words);
      const target = call ? scriptTarget(call, scripts) : undefined;
      const direct = stack.length === 1 && i === commands.length - 1;
      if (target && 'script' in target) {
        if (!stack.includes(target.script) && stack.length < 20) expand(target.script, target.args, [...via, ...(call?.via ?? [])], [...stack, target.script]);
        else out.push({ call: undefined, script, via, direct });
      } else {
        out.push({ call: target ?? call, script, via, direct });
      }
    });
  };
  expand(name, [], [], [name]);
  return out;
}

const NPM_RUN = new Set(['run', 'run-script', 'rum', 'urn']);
const NPM_SCRIPT_ALIASES: Record<string, string> = { test: 'test', t: 'test', tst: 'test', start: 'start', stop: 'stop', restart: 'restart' };
/** Options that make the manager run another package's script: not followed. */
const ELSEWHERE = /^(-w|--workspace(=.*)?|--workspaces|-ws|--prefix(=.*)?|-C|--dir(=.*)?|-r|--recursive|-F|--filter(=.*)?|--cwd(=.*)?|--global|-g)$/;
/** Yarn and pnpm commands that are not a script or a binary of the project. */
const MANAGER_COMMANDS = new Set([
  'install',
  'add',
  'remove',
  'up',
  'upgrade',
  'why',
  'workspace',
  'workspaces',
  'dlx',
  'exec',
  'config',
  'cache',
  'init',
  'link',
  'pack',
  'publish',
  'audit',
  'outdated',
  'info',
  'list',
  'ls',
  'node'
]);

/**
 * The script a package-manager command runs (and the arguments it passes on), or, for `yarn jest`
 * and `pnpm jest` with no script of that name, the binary it runs.
 */
function scriptTarget(call: ProgramCall, scripts: Record<string, string>): { script: string; args: string[] } | ProgramCall | undefined {
  const { program, args } = call;
  if (program !== 'npm' && program !== 'yarn' && program !== 'pnpm') return undefined;
  if (args.some((arg) => ELSEWHERE.test(arg))) return undefined;
  let first = args.find((arg) => !arg.startsWith('-'));
  if (first === undefined) return undefined;
  let rest = args.slice(args.indexOf(first) + 1);
  if (NPM_RUN.has(first) && (program === 'npm' || first === 'run')) {
    first = rest.find((arg) => !arg.startsWith('-'));
    if (first === undefined) return undefined;
    rest = rest.slice(rest.indexOf(first) + 1);
  } else if (program === 'npm') {
    first = NPM_SCRIPT_ALIASES[first];
    if (first === undefined) return undefined;
  } else if (MANAGER_COMMANDS.has(first)) {
    return undefined;
  }
  if (scripts[first] === undefined) {
    // `yarn jest`, `pnpm run vitest`: the project's binary (npm runs only scripts)
    return program === 'npm' ? undefined : programOf([first, ...rest]);
  }
  // npm passes on only what follows `--`; yarn and pnpm pass on everything after the name.
  const dashes = rest.indexOf('--');
  const passed = program === 'npm' ? (dashes < 0 ? [] : rest.slice(dashes + 1)) : dashes === 0 ? rest.slice(1) : rest;
  return { script: first, args: passed };
}

/** Option names a command already sets: `--outputFile=x`, `--output-file x`, `--no-coverage` → outputFile, coverage. */
export interface SetOptions {
  has(name: string): boolean;
  value(name: string): string | undefined;
  values(name: string): string[];
}

export function setOptions(args: string[]): SetOptions {
  const found: Array<[string, string | undefined]> = [];
  const camel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  for (let i = 0; i < args.length; i++) {
    const match = /^--(?:no-)?([A-Za-z][\w.-]*)(?:=(.*))?$/.exec(args[i]);
    if (!match) continue;
    const next = args[i + 1];
    const value = match[2] ?? (next !== undefined && !next.startsWith('-') ? next : undefined);
    found.push([camel(match[1]), value]);
  }
  return {
    has: (name) => found.some(([key]) => key === name || key.startsWith(`${name}.`)),
    value: (name) => found.find(([key]) => key === name)?.[1],
    values: (name) => found.filter(([key]) => key === name).map(([, value]) => value ?? '')
  };
}
