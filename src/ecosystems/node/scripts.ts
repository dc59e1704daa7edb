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

export interface ProgramCall {
  /** `jest`, `vitest`, `node`, `eslint`, … (a path's basename without `.js`). */
  program: string;
  /** Node's own options, for `node [options] script`. */
  nodeOptions: string[];
  /** The words after the program (its arguments). */
  args: string[];
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
      while (i < words.length && words[i].startsWith('-') && word !== 'env') i++;
    } else if ((word === 'pnpm' || word === 'yarn' || word === 'npm') && (words[i + 1] === 'exec' || words[i + 1] === 'dlx')) {
      i += 2;
      if (words[i] === '--') i++;
    } else break;
  }
  const program = words[i];
  if (program === undefined) return undefined;
  const name = programName(program);
  if (name !== 'node') return { program: name, nodeOptions: [], args: words.slice(i + 1) };
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
  if (nodeOptions.includes('--test') || script === undefined) return { program: 'node', nodeOptions, args: words.slice(j) };
  const inner = programName(script);
  if (inner === 'jest' || inner === 'vitest') return { program: inner, nodeOptions, args: words.slice(j + 1) };
  return { program: 'node', nodeOptions, args: words.slice(j) };
}

/** `./node_modules/.bin/jest` → jest; `node_modules/jest/bin/jest.js` → jest; `vitest.mjs` → vitest. */
function programName(word: string): string {
  const base = posix.basename(word.replace(/\\/g, '/')).replace(/\.(c|m)?js$/, '');
  if (/(^|\/)jest\/bin\/jest(\.js)?$/.test(word)) return 'jest';
  if (/(^|\/)vitest\/vitest(\.mjs)?$/.test(word)) return 'vitest';
  return base;
}

export type NodeTestRunner = 'jest' | 'vitest' | 'node' | 'other' | 'none';

/** npm writes this `test` script into every new package.json. */
const NPM_DEFAULT_TEST = /no test specified/;

/**
 * Which runner the `test` script runs. Arguments are appended to the script's last command, so
 * jest and vitest count only there; node's runner takes its reporters from NODE_OPTIONS, so
 * `node --test` counts anywhere in the script.
 */
export function detectNodeTestRunner(script: string | undefined, installed: { jest: boolean; vitest: boolean }): NodeTestRunner {
  if (script === undefined || script.trim() === '' || NPM_DEFAULT_TEST.test(script)) return 'none';
  const calls = splitScript(script).map(programOf);
  const last = calls[calls.length - 1];
  if (last?.program === 'jest' && installed.jest) return 'jest';
  if (last?.program === 'vitest' && installed.vitest && !/^(bench|list|typecheck|init)$/.test(last.args[0] ?? '')) return 'vitest';
  if (calls.some((call) => call?.program === 'node' && call.nodeOptions.includes('--test'))) return 'node';
  return 'other';
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
