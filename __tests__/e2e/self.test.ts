/**
 * End to end: Slipway runs its own CI. The repository's tracked files (`git ls-files`, as a checkout
 * has them: no node_modules, no build) go through the BUNDLED action, which installs Slipway's
 * dependencies from package-lock.json, runs the unit tests with a custom `test-command` that writes
 * jest's --json report (read back through `test-report`), type-checks through the `lint` script
 * (this repository has no eslint), and caches node_modules in the fake GitHub cache service.
 * One cold and one warm job; the unit test counts are compared with the same jest command run
 * directly in the tree the action installed.
 *
 * The unit tests are ESM through ts-jest: jest needs NODE_OPTIONS=--experimental-vm-modules. Commands
 * run without a shell, so the variable is set with `env NAME=value command …` (an argv).
 *
 * The install is Slipway's default, `npm ci`, as in the workflow's `self` job: a package-lock.json
 * that npm ci rejects (e.g. one made against a registry mirror without other platforms' optional
 * packages: "Missing: @unrs/resolver-binding-android-arm-eabi@ from lock file") fails the cold run
 * with Slipway's out-of-sync message, as it would fail CI.
 *
 * SLIPWAY_E2E_ACTION_DIR runs the tests against another build (a folder with action.yml and dist/).
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { groupLines, outerEnv, runAction, type ActionResult, type Annotation, type RunActionOptions } from './support/action-runner.js';
import { expectSuccess, STACK_FRAME, type RunDescriptionOptions } from './support/assertions.js';
import { cacheSuite } from './support/suite.js';
import { environmentEntries, environmentKeys, partKeys } from './support/environment-entries.js';
import { makeTempDir, repoRoot, wipeDir } from './support/workspace.js';

const ACTION_DIR = process.env['SLIPWAY_E2E_ACTION_DIR'] ?? repoRoot();
const REPO = repoRoot();
const UNIT_JSON = 'slipway-unit.json';
const JEST_ARGS = ['npx', 'jest', '__tests__/unit', '--ci', '--json'];
const TEST_COMMAND = `env NODE_OPTIONS=--experimental-vm-modules ${JEST_ARGS.join(' ')} --outputFile=${UNIT_JSON}`;
const NODE_VERSION = execFileSync('node', ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Copies the files git tracks (their working-tree content; ones deleted in the tree are skipped). */
function copyTrackedFiles(into: string): number {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter(Boolean);
  let copied = 0;
  for (const file of files) {
    const from = path.join(REPO, file);
    if (!existsSync(from) || !lstatSync(from).isFile()) continue;
    mkdirSync(path.dirname(path.join(into, file)), { recursive: true });
    copyFileSync(from, path.join(into, file));
    copied++;
  }
  return copied;
}

const suite = cacheSuite('self.test');
const { timings } = suite;

/** Consecutive jobs on one runner: the checkout and RUNNER_TEMP at the same paths, emptied first. */
class Job {
  readonly workspace = path.join(makeTempDir('slipway-ws-'), 'slipway');
  readonly jobDir = makeTempDir('slipway-job-');

  constructor() {
    mkdirSync(this.workspace);
  }

  async run(options: Partial<RunActionOptions> = {}): Promise<ActionResult> {
    wipeDir(this.workspace);
    wipeDir(this.jobDir);
    copyTrackedFiles(this.workspace);
    return runAction({
      workspace: this.workspace,
      jobDir: this.jobDir,
      actionDir: ACTION_DIR,
      cacheService: suite.cache,
      repository: 'slipway/slipway',
      timeoutMs: 480_000,
      ...options
    });
  }
}

/** The unit tests' and tsc's output fill the log: a failed run needs a longer tail to show why. */
const LONG_LOG: RunDescriptionOptions = { logTail: 8000 };

const errors = (r: ActionResult): Annotation[] => r.annotations.filter((a) => a.level === 'error');

/** The install commands the install stage ran (`$ npm ci …`). */
const installCommands = (result: ActionResult): string[] => groupLines(result, 'install').filter((line) => /^\$ .*\bnpm (ci|install)\b/.test(line));

function stageLine(result: ActionResult, stage: string): string {
  return result.log.split('\n').find((line) => new RegExp(`^[✓✗–!] ${stage}\\s`).test(line)) ?? '';
}

function summarySeconds(result: ActionResult, stage: string): number {
  const row = result.summary.split('\n').find((line) => new RegExp(`^\\|[^|]*\\b${stage}\\b[^|]*\\|`).test(line));
  const cell =
    row
      ?.split('|')
      .map((c) => c.trim())
      .filter(Boolean)
      .pop() ?? '';
  const m = /^(?:(\d+)m)?\s*(\d+(?:\.\d+)?)\s*(ms|s)$/.exec(cell);
  if (!m) throw new Error(`cannot read the ${stage} time from the summary:\n${result.summary}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2]) / (m[3] === 'ms' ? 1000 : 1);
}

interface JestCounts {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTestSuites: number;
}

const readCounts = (file: string): JestCounts => JSON.parse(readFileSync(file, 'utf8')) as JestCounts;

// ------------------------------------------------------------------------------------------------

describe("Slipway's own repository through the bundled action", () => {
  const job = new Job();
  // The inputs of the workflow's `self` job (.github/workflows/ci.yml).
  const inputs = { 'test-command': TEST_COMMAND, 'test-report': UNIT_JSON, 'lint-blocking': true };
  let cold: ActionResult;
  let warm: ActionResult;
  let direct: JestCounts;
  let actionReport: JestCounts;

  beforeAll(async () => {
    cold = await job.run({ inputs });
    timings['self-cold'] = cold.durationMs;
    if (!cold.ok) return;
    timings['self-install-cold-ms'] = summarySeconds(cold, 'install') * 1000;
    actionReport = readCounts(path.join(job.workspace, UNIT_JSON));
    // The same jest command, run directly in the tree the action installed.
    const out = path.join(makeTempDir('slipway-self-ref-'), 'unit.json');
    const [command = 'npx', ...args] = JEST_ARGS;
    const started = Date.now();
    const run = spawnSync(command, [...args, `--outputFile=${out}`], {
      cwd: job.workspace,
      env: outerEnv({ NODE_OPTIONS: '--experimental-vm-modules', CI: 'true' }),
      encoding: 'utf8',
      timeout: 300_000
    });
    timings['self-direct-jest'] = Date.now() - started;
    if (!existsSync(out)) throw new Error(`the direct jest run wrote no report (exit ${run.status}):\n${run.stderr.slice(-3000)}`);
    direct = readCounts(out);
    suite.cache.requests.length = 0;
    warm = await job.run({ inputs });
    timings['self-warm'] = warm.durationMs;
    if (warm.ok) timings['self-install-warm-ms'] = summarySeconds(warm, 'install') * 1000;
  }, 900_000);

  test('cold: installs from package-lock.json, runs the unit tests, reports exactly what jest counts, type-checks, succeeds', () => {
    expectSuccess(cold, LONG_LOG);
    expect(direct.numTotalTests).toBeGreaterThan(100);
    expect(direct.numFailedTests).toBe(0);
    const skipped = direct.numPendingTests + direct.numTodoTests;
    expect(cold.outputs).toMatchObject({
      'cache-hit': 'false',
      'tests-passed': String(direct.numPassedTests),
      'tests-failed': String(direct.numFailedTests),
      'tests-skipped': String(skipped),
      'lint-findings': '0'
    });
    // The action's own jest run counted the same tests as the direct run.
    expect(actionReport).toMatchObject({
      numTotalTests: direct.numTotalTests,
      numPassedTests: direct.numPassedTests,
      numTotalTestSuites: direct.numTotalTestSuites
    });
    expect(cold.outputs['cache-key']).toMatch(
      new RegExp(`^slipway-v1-${process.platform}-${process.arch}-[a-z]+[0-9.]*-node-${esc(NODE_VERSION)}-npm-[0-9.]+-[0-9a-f]{8}-[0-9a-f]{64}$`)
    );
    // Installed from the lockfile; the node_modules saved under the key, as its four parts once each.
    expect(installCommands(cold)).toEqual([expect.stringMatching(/^\$ npm ci\b/)]);
    const key = cold.outputs['cache-key'] ?? '';
    expect(environmentEntries(suite.cache, key).map((e) => e.key)).toEqual(environmentKeys(key, { seed: false }));
    // The custom test command ran as given, with the variable jest needs.
    expect(groupLines(cold, 'test')[0]).toBe(`$ ${TEST_COMMAND}`);
    expect(stageLine(cold, 'test')).toMatch(new RegExp(`^✓ test .*${direct.numPassedTests} passed, 0 failed`));
    // The repository lints with eslint (flat config): Slipway finds it and reads its findings — none.
    expect(stageLine(cold, 'lint')).toMatch(/eslint: no findings/);
    expect(groupLines(cold, 'lint').join('\n')).toMatch(/eslint/);
    expect(errors(cold)).toEqual([]);
    expect(cold.stderr).not.toMatch(STACK_FRAME);
    expect(cold.summary).toContain(`${direct.numPassedTests}`);
  });

  test('warm: a fresh checkout restores node_modules (cache hit), installs nothing, the same counts', () => {
    if (!warm) throw new Error(`no warm run: the cold run failed (exit ${cold?.code})`);
    expectSuccess(warm, LONG_LOG);
    expect(warm.outputs).toMatchObject({
      'cache-hit': 'true',
      'cache-key': cold.outputs['cache-key'],
      'tests-passed': String(direct.numPassedTests),
      'tests-failed': '0',
      'lint-findings': '0'
    });
    expect(installCommands(warm)).toEqual([]);
    // All four parts restored (the seed entry is looked up too when a test command is given: none here).
    const allParts = esc(partKeys(cold.outputs['cache-key'] ?? '').join(', '));
    expect(groupLines(warm, 'install').filter((l) => l.startsWith('Restored '))).toEqual([
      expect.stringMatching(new RegExp(`^Restored 4 of \\d+ cache entries .*: ${allParts}$`))
    ]);
    // Nothing uploaded (this commit's coverage baseline exists already: 409, no upload).
    expect(suite.cache.requests.filter((r) => r.kind === 'CreateCacheEntry' && r.status !== 409)).toEqual([]);
    expect(suite.cache.requests.filter((r) => r.method === 'PUT')).toEqual([]);
    expect(stageLine(warm, 'lint')).toMatch(/eslint: no findings/);
    expect(errors(warm)).toEqual([]);
  });
});
