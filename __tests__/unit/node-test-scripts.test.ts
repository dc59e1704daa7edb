// The whole `test` script: which runner it reaches (anywhere, through `npm run x` chains), and how
// Slipway's options reach that runner (appended when it comes last, else a NODE_OPTIONS preload);
// mocha's reporter and coverage plans.
import { describe, expect, test } from '@jest/globals';
import { runInNewContext } from 'node:vm';
import type { ScriptRunner } from '../../src/ecosystems/node/package-manager.js';
import { detectNodeTestRunner, programOf, scriptCalls, type NodeTestRunner } from '../../src/ecosystems/node/scripts.js';
import { planNodeTests, type NodeTestPlanInput } from '../../src/ecosystems/node/tests.js';
import { pick, random, times } from '../fixtures/fuzz.js';

const all = { jest: true, vitest: true, mocha: true };
const programs = (scripts: Record<string, string>): string[] => scriptCalls(scripts).map((c) => c.call?.program ?? '?');

describe('scriptCalls: every command `test` runs, in order', () => {
  test.each<[string, Record<string, string>, string[]]>([
    ['&&, ||, ;', { test: 'eslint src && mocha || echo x; tsc' }, ['eslint', 'mocha', 'echo', 'tsc']],
    ['npm run x', { test: 'npm run lint && npm run test:unit', lint: 'eslint .', 'test:unit': 'jest' }, ['eslint', 'jest']],
    ['npm run-script -s x', { test: 'npm run-script -s unit', unit: 'vitest run' }, ['vitest']],
    ['npm test from another name', { test: 'npm run all', all: 'npm t' }, ['?']],
    ['yarn x', { test: 'yarn build && yarn unit', build: 'tsc', unit: 'jest' }, ['tsc', 'jest']],
    ['yarn run x', { test: 'yarn run unit', unit: 'mocha' }, ['mocha']],
    ['pnpm x', { test: 'pnpm lint && vitest run', lint: 'eslint .' }, ['eslint', 'vitest']],
    ['pnpm run x', { test: 'pnpm run unit', unit: 'c8 node --test' }, ['node']],
    ['yarn jest: a binary when no script has the name', { test: 'yarn jest --ci' }, ['jest']],
    ['pnpm vitest run: a binary', { test: 'pnpm vitest run' }, ['vitest']],
    ['npm run of a missing script', { test: 'npm run nope' }, ['npm']],
    ['a cycle stops', { test: 'npm run a', a: 'eslint . && npm run b', b: 'npm run a && jest' }, ['eslint', '?', 'jest']],
    ['a script running itself', { test: 'npm test' }, ['?']],
    ['another package is not followed', { test: 'pnpm --filter web test', x: 'jest' }, ['pnpm']],
    ['npm -w is not followed', { test: 'npm run test -w web' }, ['npm']],
    ['cross-env A=b jest', { test: 'cross-env A=b jest' }, ['jest']],
    ['cross-env around npm run', { test: 'cross-env CI=1 npm run unit', unit: 'jest' }, ['jest']],
    ['c8', { test: 'c8 --reporter lcov mocha' }, ['mocha']],
    ['nyc', { test: 'nyc -r text mocha test/' }, ['mocha']],
    ['node --test', { test: 'c8 node --test' }, ['node']],
    ['node_modules/.bin/_mocha', { test: 'node node_modules/mocha/bin/_mocha' }, ['mocha']]
  ])('%s', (_, scripts, expected) => {
    expect(programs(scripts)).toEqual(expected);
  });

  test('arguments passed on reach the last command of the script run', () => {
    const [npm] = scriptCalls({ test: 'npm run unit -- --runInBand', unit: 'jest --ci' });
    expect(npm?.call?.args).toEqual(['--ci', '--runInBand']);
    const [yarn] = scriptCalls({ test: 'yarn unit --bail', unit: 'mocha' });
    expect(yarn?.call?.args).toEqual(['--bail']);
    // npm keeps its own flags before `--`
    const [flags] = scriptCalls({ test: 'npm run unit --silent', unit: 'jest' });
    expect(flags?.call?.args).toEqual([]);
  });

  test('only the test script’s own last command is direct; wrappers of the chain are kept', () => {
    const calls = scriptCalls({ test: 'npm run lint && c8 -r text npm run unit', lint: 'eslint .', unit: 'mocha' });
    expect(calls.map((c) => [c.call?.program, c.script, c.direct])).toEqual([
      ['eslint', 'lint', false],
      ['mocha', 'unit', false]
    ]);
    expect(calls[1]?.via).toEqual(['c8', '-r', 'text']);
    expect(scriptCalls({ test: 'eslint . && jest' }).map((c) => c.direct)).toEqual([false, true]);
  });

  test('property: any graph of scripts calling scripts ends, keeps every command of `test` itself, and has at most one direct command', () => {
    const next = random(7);
    for (const _ of times(300, (i) => i)) {
      const names = ['test', 'a', 'b', 'c'];
      const scripts: Record<string, string> = {};
      let plain = 0;
      for (const name of names) {
        const commands = [...times(1 + Math.floor(next() * 3), () => (next() < 0.5 ? `npm run ${pick(next, names)}` : `tool${plain++}`))];
        scripts[name] = commands.join(pick(next, [' && ', ' || ', '; ']));
      }
      const calls = scriptCalls(scripts);
      expect(calls.length).toBeLessThan(10_000);
      const tools = calls.map((c) => c.call?.program).filter((p): p is string => p?.startsWith('tool') === true);
      // every command of the test script itself is listed
      const own: string[] = scripts.test.match(/tool\d+/g) ?? [];
      expect(tools.filter((t) => own.includes(t))).toEqual(expect.arrayContaining(own));
      expect(calls.filter((c) => c.direct).length).toBeLessThanOrEqual(1);
    }
  });
});

describe('detectNodeTestRunner: the whole script', () => {
  test.each<[string, Record<string, string>, NodeTestRunner]>([
    ['eslint src && mocha', {}, 'mocha'],
    ['npm run test:unit', { 'test:unit': 'jest' }, 'jest'],
    ['npm run lint && npm run test:unit', { lint: 'eslint .', 'test:unit': 'jest' }, 'jest'],
    ['pnpm lint && vitest run', { lint: 'eslint .' }, 'vitest'],
    ['c8 node --test', {}, 'node'],
    ['nyc mocha', {}, 'mocha'],
    ['cross-env A=b jest', {}, 'jest'],
    ['jest && eslint .', {}, 'jest'],
    ['yarn unit', { unit: 'vitest' }, 'vitest'],
    ['vitest bench && npm run unit', { unit: 'mocha' }, 'mocha'],
    ['npm run a', { a: 'npm run a' }, 'other'],
    ['sh ./run-tests.sh', {}, 'other'],
    ['mocha && node --test', {}, 'node'],
    ['mocha && node --test && echo ok', {}, 'mocha'], // else the first in the script
    ['node --test && jest', {}, 'jest'] // the last command first: its options are visible in the log
  ])('%j (%j) is %s', (script, scripts, runner) => {
    expect(detectNodeTestRunner(script, all, scripts)).toBe(runner);
  });

  test('a runner that is not installed does not count', () => {
    expect(detectNodeTestRunner('eslint . && mocha', { jest: true, vitest: true })).toBe('other');
    expect(detectNodeTestRunner('npm run unit', { jest: false, vitest: false, mocha: true }, { unit: 'jest' })).toBe('other');
  });

  test('programOf keeps the wrapper words', () => {
    expect(programOf(['c8', '--temp-directory', 't', 'mocha', 'test/'])).toEqual({
      program: 'mocha',
      nodeOptions: [],
      args: ['test/'],
      via: ['c8', '--temp-directory', 't']
    });
  });
});

const npm: ScriptRunner = { manager: 'npm', yarnBerry: false, corepack: false };
const base: NodeTestPlanInput = {
  manager: npm,
  scripts: { test: 'jest' },
  runner: 'jest',
  reportDir: '/r',
  root: '/p',
  coverage: true,
  hasVitestCoverage: true,
  testReportPatterns: []
};
const plan = (overrides: Partial<NodeTestPlanInput>) => planNodeTests({ ...base, ...overrides });
const JEST = [
  '--ci',
  '--json',
  '--outputFile=/r/jest.json',
  '--testLocationInResults',
  '--coverage',
  '--coverageReporters=cobertura',
  '--coverageReporters=text-summary',
  '--coverageDirectory=/r/coverage'
];
const PRELOAD = '/r/slipway-runner-options.cjs';

/** Runs the preload as node would for a process whose main module is `main`; returns its argv. */
function preloaded(text: string, main: string, argv: string[], env: Record<string, string> = {}): string[] {
  const proc = { argv: ['/usr/bin/node', main, ...argv], env: { ...env } };
  const fakeRequire = (name: string) => {
    if (name !== 'fs') throw new Error(name);
    return { realpathSync: (p: string) => p.replace('/node_modules/.bin/jest', '/node_modules/jest/bin/jest.js') };
  };
  runInNewContext(text, { process: proc, require: fakeRequire });
  return proc.argv.slice(2);
}

describe('planNodeTests: a runner that is not the last command', () => {
  test('the script runs as written; the options go through a NODE_OPTIONS preload', () => {
    const result = plan({
      scripts: { test: 'npm run lint && npm run test:unit', lint: 'eslint .', 'test:unit': 'jest' },
      nodeOptions: '--max-old-space-size=4096'
    });
    expect(result.commands).toEqual([{ command: 'npm', args: ['test'], env: { NODE_OPTIONS: `--max-old-space-size=4096 --require=${PRELOAD}` } }]);
    expect(result).toMatchObject({ runner: 'jest', jestJson: '/r/jest.json', coverageXml: '/r/coverage/cobertura-coverage.xml' });
    expect(result.notes).toEqual([expect.stringMatching(/jest is not the last command.*`test:unit` script.*--json/)]);
    const text = result.writes?.find((w) => w.path === PRELOAD)?.text ?? '';
    expect(preloaded(text, '/p/node_modules/.bin/jest', [])).toEqual(JEST);
    // before a `--`, only in jest's own process, and once
    expect(preloaded(text, '/p/node_modules/jest/bin/jest.js', ['--', 'x.test.js'])).toEqual([...JEST, '--', 'x.test.js']);
    expect(preloaded(text, '/p/node_modules/eslint/bin/eslint.js', ['.'])).toEqual(['.']);
    expect(preloaded(text, '/p/node_modules/jest-worker/build/workers/processChild.js', [])).toEqual([]);
    expect(preloaded(text, '/p/node_modules/jest/bin/jest.js', [], { SLIPWAY_RUNNER_OPTIONS_ADDED: '1' })).toEqual([]);
  });

  test('the options are read from the runner’s own command, wherever it is', () => {
    const result = plan({ scripts: { test: 'jest --outputFile=out/j.json --json && eslint .' } });
    expect(result.jestJson).toBe('/p/out/j.json');
    expect(preloaded(result.writes?.[0]?.text ?? '', '/p/node_modules/jest/bin/jest.js', [])).not.toContain('--json');
  });

  test('vitest and mocha reached through yarn and pnpm scripts', () => {
    const vitest = plan({
      runner: 'vitest',
      manager: { manager: 'pnpm', yarnBerry: false, corepack: false },
      scripts: { test: 'pnpm lint && pnpm unit', lint: 'x', unit: 'vitest' }
    });
    expect(vitest.commands[0]).toEqual({ command: 'pnpm', args: ['run', 'test'], env: { NODE_OPTIONS: `--require=${PRELOAD}` } });
    expect(vitest.junit).toEqual(['/r/junit.xml']);
    expect(preloaded(vitest.writes?.[0]?.text ?? '', '/p/node_modules/vitest/vitest.mjs', [])).toContain('--outputFile.junit=/r/junit.xml');
  });

  test('a runner called more than once: the exit code only, and the note says why', () => {
    const result = plan({ scripts: { test: 'jest unit && npm run e2e', e2e: 'jest e2e' } });
    expect(result).toMatchObject({ runner: 'jest', junit: [], commands: [{ command: 'npm', args: ['test'] }] });
    expect(result.jestJson).toBeUndefined();
    expect(result.notes).toEqual([expect.stringMatching(/runs jest 2 times.*reads only the exit code/)]);
  });

  test('the last command keeps the appended options (visible in the log)', () => {
    expect(plan({ scripts: { test: 'npm run build && jest', build: 'tsc' } }).commands).toEqual([{ command: 'npm', args: ['test', '--', ...JEST] }]);
  });

  test('node --test inside another script still gets its reporters', () => {
    const result = plan({ runner: 'node', scripts: { test: 'npm run unit', unit: 'node --test' } });
    expect(result.junit).toEqual(['/r/junit.xml']);
    expect(result.commands[0]?.args).toEqual(['test']); // coverage cannot be appended through `npm run unit`
    expect(result.coverageNote).toMatch(/add --experimental-test-coverage/);
  });
});

describe('planNodeTests: mocha', () => {
  const mocha = (test: string, overrides: Partial<NodeTestPlanInput> = {}, scripts: Record<string, string> = {}) =>
    plan({ runner: 'mocha', scripts: { ...scripts, test }, ...overrides });
  const REPORTER = '/r/slipway-mocha-reporter.cjs';

  test('its spec and xunit reporters together, appended when mocha comes last', () => {
    const result = mocha('eslint . && mocha', { hasC8: false });
    expect(result.commands).toEqual([{ command: 'npm', args: ['test', '--', `--reporter=${REPORTER}`] }]);
    expect(result.junit).toEqual(['/r/junit.xml']);
    expect(result.writes?.[0]).toEqual({ path: REPORTER, text: expect.stringContaining('"/r/junit.xml"') });
    expect(result.coverageNote).toMatch(/add c8 to devDependencies/);
  });

  test.each<[string, string, Partial<NodeTestPlanInput>, string[][], string | undefined]>([
    [
      'c8 in the script: c8 report afterwards',
      'c8 mocha',
      {},
      [['/p/node_modules/.bin/c8', 'report', '--reporter=lcov', '--report-dir=/r/coverage']],
      undefined
    ],
    [
      "c8's own temp directory",
      'c8 --temp-directory=.c8 mocha',
      {},
      [['/p/node_modules/.bin/c8', 'report', '--temp-directory=.c8', '--reporter=lcov', '--report-dir=/r/coverage']],
      undefined
    ],
    ['nyc in the script', 'nyc mocha', { hasC8: true }, [['/p/node_modules/.bin/nyc', 'report', '--reporter=lcov', '--report-dir=/r/coverage']], undefined],
    [
      'c8 installed, not in the script: V8 coverage of the run',
      'mocha',
      { hasC8: true },
      [['/p/node_modules/.bin/c8', 'report', '--temp-directory=/r/v8-coverage', '--reporter=text-summary', '--reporter=lcov', '--report-dir=/r/coverage']],
      'NODE_V8_COVERAGE'
    ],
    [
      'Plug’n’Play: through yarn',
      'c8 mocha',
      { pnp: true, manager: { manager: 'yarn', yarnBerry: true, corepack: false } },
      [['yarn', 'c8', 'report', '--reporter=lcov', '--report-dir=/r/coverage']],
      undefined
    ]
  ])('coverage: %s', (_, script, overrides, reports, env) => {
    const result = mocha(script, overrides);
    expect(result.commands.slice(1).map((c) => [c.command, ...c.args])).toEqual(reports);
    expect(result.lcov).toBe('/r/coverage/lcov.info');
    if (env) {
      expect(result.commands[0]?.env).toEqual({ NODE_V8_COVERAGE: '/r/v8-coverage' });
      expect(result.writes?.map((w) => w.path)).toContain('/r/v8-coverage/README.txt');
    }
  });

  test('coverage off, or only nyc installed', () => {
    expect(mocha('mocha', { coverage: false, hasC8: true }).commands).toHaveLength(1);
    expect(mocha('mocha', { hasNyc: true }).coverageNote).toMatch(/nyc measures coverage only when it runs mocha/);
  });

  test("the script's own reporter: mocha takes one, so Slipway reads an xunit file it names, or says it cannot add one", () => {
    const xunit = mocha('mocha --reporter xunit --reporter-option output=reports/m.xml');
    expect(xunit).toMatchObject({ junit: ['/p/reports/m.xml'], notes: [] });
    expect(xunit.commands[0]?.args).toEqual(['test']);
    const dot = mocha('mocha -R dot');
    expect(dot.junit).toEqual([]);
    expect(dot.notes).toEqual([expect.stringMatching(/chooses mocha's reporter \(dot\).*reads only the exit code/)]);
  });

  test('mocha inside `npm run unit`: the reporter through the preload, coverage alongside', () => {
    const result = mocha('npm run lint && npm run unit', { hasC8: true }, { lint: 'eslint .', unit: 'mocha test/' });
    expect(result.commands[0]?.env).toEqual({ NODE_OPTIONS: `--require=${PRELOAD}`, NODE_V8_COVERAGE: '/r/v8-coverage' });
    const text = result.writes?.find((w) => w.path === PRELOAD)?.text ?? '';
    expect(preloaded(text, '/p/node_modules/mocha/bin/mocha.js', ['test/'])).toEqual(['test/', `--reporter=${REPORTER}`]);
    expect(preloaded(text, '/p/node_modules/mocha/lib/cli/cli.js', ['test/'])).toEqual(['test/']);
  });
});
