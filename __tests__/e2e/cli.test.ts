/**
 * End to end: `slipway run [dir]`, the BUNDLED CLI (dist/cli.js), on a copy of the example app with
 * real pip (local mirror) and the local cache in a temporary --cache-dir.
 *
 * The child gets none of the test process's GitHub Actions variables (when these tests themselves
 * run in Actions, the CLI must not think it is the action) nor jest's NODE_OPTIONS.
 *
 * SLIPWAY_E2E_ACTION_DIR runs the tests against another build (a folder with dist/cli.js).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { INPUTS } from '../../src/inputs.js';
import { STACK_FRAME } from './support/assertions.js';
import { environmentKeys } from './support/environment-entries.js';
import { pipMirrorEnv } from './support/python.js';
import { copyInto, makeTempDir, removeTempDirs, repoRoot } from './support/workspace.js';

const CLI = path.join(process.env['SLIPWAY_E2E_ACTION_DIR'] ?? repoRoot(), 'dist', 'cli.js');
const EXAMPLE = path.join(repoRoot(), 'examples', 'flask-app');
const timings: Record<string, number> = {};

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, as a terminal shows them. */
  output: string;
  durationMs: number;
}

function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(GITHUB_|INPUT_|STATE_|ACTIONS_|RUNNER_|npm_)/i.test(k)) continue;
    if (['NODE_OPTIONS', 'JEST_WORKER_ID', 'CI', 'FORCE_COLOR'].includes(k)) continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...pipMirrorEnv(), ...extra };
}

/** `run` with `--no-audit` added, unless the case says something about the audit itself. */
const withoutAudit = (args: string[]): string[] => (args[0] === 'run' && !args.some((a) => a.includes('audit')) ? [...args, '--no-audit'] : args);

async function slipway(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const started = Date.now();
  // Tests reach only this machine: the audit (api.osv.dev by default) is off unless a case turns it on.
  const child = spawn(process.execPath, [CLI, ...withoutAudit(args)], {
    cwd: options.cwd ?? makeTempDir('slipway-cli-cwd-'),
    env: cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const all: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => (out.push(c), all.push(c)));
  child.stderr.on('data', (c: Buffer) => (err.push(c), all.push(c)));
  const timer = setTimeout(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, options.timeoutMs ?? 100_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  }).finally(() => clearTimeout(timer));
  return {
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
    output: Buffer.concat(all).toString('utf8'),
    durationMs: Date.now() - started
  };
}

/** The keys of the entries in the local cache store, sorted. */
const storedKeys = (cacheDir: string): string[] =>
  readdirSync(path.join(cacheDir, 'store'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => (JSON.parse(readFileSync(path.join(cacheDir, 'store', f), 'utf8')) as { key: string }).key)
    .sort();

/** The environment key a run names on its cache line. */
const cacheKey = (r: CliResult): string | undefined => /cache: (?:hit|miss) \((\S+)\)/.exec(r.output)?.[1];

function show(result: CliResult): string {
  return `exit ${result.code}\n${result.output.slice(-5000)}`;
}

afterAll(() => {
  removeTempDirs();
  process.stderr.write(`cli.test timings (ms): ${JSON.stringify(timings)}\n`);
});

describe('slipway run on the example app', () => {
  let project: string;
  let cacheDir: string;
  let cold: CliResult;
  let warm: CliResult;

  beforeAll(async () => {
    project = path.join(makeTempDir('slipway-cli-project-'), 'flask-app');
    copyInto(EXAMPLE, project);
    cacheDir = makeTempDir('slipway-cli-cache-');
    cold = await slipway(['run', project, '--cache-dir', cacheDir]);
    timings['cold'] = cold.durationMs;
    // --verbose prints every stage's log: the evidence of what the install did (or did not) run.
    warm = await slipway(['run', project, '--cache-dir', cacheDir, '--verbose']);
    timings['warm'] = warm.durationMs;
  }, 200_000);

  test('cold: exit 0, one line per stage, the environment installed and stored in the cache dir', () => {
    if (cold.code !== 0) throw new Error(show(cold));
    expect(cold.output).toMatch(/^✓ install .*installed with pip/m);
    expect(cold.output).toMatch(/^✓ test .*5 passed/m);
    expect(cold.output).toMatch(/^! lint .*ruff: 3 findings/m);
    // The findings are shown where they are.
    expect(cold.output).toMatch(/app\.py:2:1: .*I001/);
    expect(cold.output).toMatch(/app\.py:28:5: .*F841/);
    expect(cold.output).toMatch(/cache: miss \(slipway-v1-linux-/);
    // Stored as the environment's four parts and its seed packages (the project needs none), once each.
    expect(storedKeys(cacheDir)).toEqual(environmentKeys(cacheKey(cold) ?? '', { seed: true }).sort());
    expect(cold.output).not.toMatch(STACK_FRAME);
  });

  test('warm: exit 0, the environment of the last run reused (a cache hit), nothing installed, same results', () => {
    if (warm.code !== 0) throw new Error(show(warm));
    expect(warm.output).toMatch(/^✓ install .*(already installed for this key|restored from cache)/m);
    expect(warm.output).toMatch(/^✓ test .*5 passed/m);
    expect(warm.output).toMatch(/^! lint .*ruff: 3 findings/m);
    expect(warm.output).toMatch(/cache: hit \(slipway-v1-linux-/);
    expect(warm.output).toMatch(/^── install$/m);
    expect(warm.output).not.toMatch(/\$ .*-m (pip install|venv) /);
    // The same key as the cold run.
    expect(cacheKey(warm)).toBe(cacheKey(cold));
    // Nothing stored again.
    expect(storedKeys(cacheDir)).toEqual(environmentKeys(cacheKey(cold) ?? '', { seed: true }).sort());
  });

  test('without the last environment (project state removed), it is restored from the cache store', async () => {
    rmSync(path.join(cacheDir, 'projects'), { recursive: true, force: true });
    const restored = await slipway(['run', project, '--cache-dir', cacheDir, '--verbose']);
    timings['restored'] = restored.durationMs;
    if (restored.code !== 0) throw new Error(show(restored));
    expect(restored.output).toMatch(/^✓ install .*restored from cache/m);
    expect(restored.output).toMatch(/^✓ test .*5 passed/m);
    expect(restored.output).toMatch(/cache: hit \(slipway-v1-linux-/);
    expect(restored.output).toMatch(/^── install$/m);
    expect(restored.output).not.toMatch(/\$ .*-m (pip install|venv) /);
  });

  test('a failing test: exit 1, the test named', async () => {
    const testFile = path.join(project, 'tests', 'test_app.py');
    const original = readFileSync(testFile, 'utf8');
    writeFileSync(testFile, original.replace('"count": 12', '"count": 13'));
    try {
      const result = await slipway(['run', project, '--cache-dir', cacheDir]);
      expect(result.code).toBe(1);
      expect(result.output).toMatch(/^✓ install /m);
      expect(result.output).toMatch(/^✗ test .*test_known_item/m);
      // Where it failed: the assertion's line, in a path relative to the project (no git repository here).
      const line = original.split('\n').findIndex((l) => l.includes('"count": 12')) + 1;
      expect(result.output).toContain(`error tests/test_app.py:${line}: AssertionError`);
      expect(result.output).toMatch(new RegExp(`test_known_item \\(tests/test_app\\.py:${line}\\)`));
      expect(result.output).toMatch(/FAILURE/);
      expect(result.output).not.toMatch(STACK_FRAME);
    } finally {
      writeFileSync(testFile, original);
    }
  });
});

describe('slipway options', () => {
  let project: string;
  beforeAll(() => {
    project = path.join(makeTempDir('slipway-cli-project-'), 'flask-app');
    copyInto(EXAMPLE, project);
  });

  test('--help: exit 0 and the usage', async () => {
    const result = await slipway(['--help']);
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/Usage: slipway run \[dir\]/);
    expect(result.output).toContain('--coverage-min');
    expect(result.output).toContain('--cache-dir');
  });

  test('--help describes every flag with its default, from the inputs table action.yml shares', async () => {
    const { output } = await slipway(['--help']);
    for (const [name, { default: fallback, description }] of Object.entries(INPUTS)) {
      if (name === 'working-directory' || name === 'github-token') continue; // the folder is `dir`; no GitHub API here
      const help = new RegExp(`^  --${name} <[^>]+>.*\\n +(.*)$`, 'm').exec(output)?.[1];
      expect(help).toContain(description);
      if (!description.includes('Default: ')) expect(help).toContain(`Default: ${fallback === '' ? 'none' : fallback}.`);
    }
    expect(output).toMatch(/^ {2}--rollback <true\|false>, --no-rollback$/m);
    expect(output).toMatch(/^ {2}--cache-dir <dir>\n +Where the local cache lives\. Default: /m);
  });

  test("--health-timeout -1: the input's own message, not a complaint about an option", async () => {
    const result = await slipway(['run', project, '--cache-dir', makeTempDir('slipway-cli-cache-'), '--health-timeout', '-1']);
    expect(result.code).toBe(2);
    expect(result.output).toContain('Input `health-timeout`: expected a number from 1 to 3600, got -1.');
    expect(result.output).not.toMatch(/^. install/m);
    expect(result.output).not.toMatch(/Usage:/);
  });

  test('a value flag followed by another flag still says the value is missing', async () => {
    const result = await slipway(['run', project, '--image', '--verbose']);
    expect(result.code).toBe(2);
    expect(result.output).toContain('--image');
    expect(result.output).toMatch(/Usage: slipway run/);
  });

  test('a bad value: exit 2, the option named, nothing run', async () => {
    const cacheDir = makeTempDir('slipway-cli-cache-');
    const result = await slipway(['run', project, '--cache-dir', cacheDir, '--coverage-min', 'ninety']);
    expect(result.code).toBe(2);
    expect(result.output).toContain('coverage-min');
    expect(result.output).toContain('ninety');
    expect(result.output).not.toMatch(/^. install/m);
    expect(result.output).not.toMatch(STACK_FRAME);
  });

  test('an unknown option: exit 2 and the usage', async () => {
    const result = await slipway(['run', project, '--coverage-minimum', '80']);
    expect(result.code).toBe(2);
    expect(result.output).toContain('--coverage-minimum');
    expect(result.output).toMatch(/Usage: slipway run/);
  });

  test('a project folder that does not exist: exit 2, naming that folder (not an input the CLI does not have)', async () => {
    const missing = path.join(makeTempDir('slipway-cli-'), 'no-such-project');
    const result = await slipway(['run', missing, '--cache-dir', makeTempDir('slipway-cli-cache-')]);
    expect(result.code).toBe(2);
    expect(result.output).toContain(missing);
    expect(result.output).not.toMatch(STACK_FRAME);
    // `working-directory` is not a CLI option (the usage hides it): the folder is the positional `dir`.
    expect(result.output).not.toContain('working-directory');
  });
});
