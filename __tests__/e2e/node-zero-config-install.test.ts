/**
 * End to end, on the BUNDLED action: Node projects set up the way the project itself does things.
 * - no lockfile by design (.npmrc package-lock=false): installed from package.json, a note about
 *   drift, cached under the package.json key and restored by the next run, no lockfile written;
 * - pnpm run through corepack and called by name inside the `test` script (`pnpm lint && …`), which
 *   fails with "pnpm: not found" unless corepack's shims are on PATH;
 * - eslint on the targets of the `lint` script (`eslint src`), and a broken eslint configuration as
 *   one warning.
 *
 * Machine notes: see the header of node.test.ts (COREPACK_INTEGRITY_KEYS=0 lets corepack fetch pnpm
 * from this machine's npm registry mirror). One cache service for the suite, five runs in all.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { groupLines, type ActionResult, type Annotation } from './support/action-runner.js';
import { expectSuccess } from './support/assertions.js';
import { environmentEntries, environmentKeys } from './support/environment-entries.js';
import { ProjectJob } from './support/job.js';
import { cacheSuite } from './support/suite.js';
import { fixturePath, repoRoot } from './support/workspace.js';

const ACTION_DIR = process.env['SLIPWAY_E2E_ACTION_DIR'] ?? repoRoot();
const COREPACK_ENV = { COREPACK_INTEGRITY_KEYS: '0', COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' };

const suite = cacheSuite('node-zero-config-install');

const newJob = (fixture: string, env: Record<string, string> = {}): ProjectJob =>
  new ProjectJob(fixturePath(fixture), '.', () => ({ actionDir: ACTION_DIR, cacheService: suite.cache, timeoutMs: 240_000, env }));

const warnings = (r: ActionResult): Annotation[] => r.annotations.filter((a) => a.level === 'warning');
const errors = (r: ActionResult): Annotation[] => r.annotations.filter((a) => a.level === 'error');
/** The package-manager install commands the install stage ran. */
const installCommands = (r: ActionResult): string[] => groupLines(r, 'install').filter((line) => /^\$ .*\b(npm|yarn|pnpm)\b.* (ci|install)\b/.test(line));
const stageLine = (r: ActionResult, stage: string): string => r.log.split('\n').find((line) => new RegExp(`^[✓✗–!] ${stage}\\s`).test(line)) ?? '';

describe('no lockfile by design (.npmrc package-lock=false)', () => {
  const job = newJob('node-no-lockfile');
  let cold: ActionResult;
  let warm: ActionResult;

  beforeAll(async () => {
    cold = await job.run();
    suite.timings['no-lockfile-cold'] = cold.durationMs;
    // Nothing the install wrote may be a lockfile in the checkout.
    const written = readdirSync(job.project).filter((name) => /^(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml)$/.test(name));
    suite.timings['no-lockfile-lockfiles-written'] = written.length;
    warm = await job.run();
    suite.timings['no-lockfile-warm'] = warm.durationMs;
  }, 240_000);

  test('cold: npm install without a lockfile, tests run, one note that versions may drift, nothing written', () => {
    expectSuccess(cold);
    expect(installCommands(cold)).toEqual([expect.stringMatching(/^\$ npm install --no-package-lock\b/)]);
    expect(cold.outputs).toMatchObject({ 'cache-hit': 'false', 'tests-passed': '2', 'tests-failed': '0' });
    expect(warnings(cold).map((a) => a.message)).toEqual([expect.stringMatching(/^The project keeps no lockfile \(\.npmrc\).*may drift between runs/)]);
    expect(errors(cold)).toEqual([]);
    expect(suite.timings['no-lockfile-lockfiles-written']).toBe(0);
    const key = cold.outputs['cache-key'] ?? '';
    expect(environmentEntries(suite.cache, key).map((e) => e.key)).toEqual(environmentKeys(key, { seed: false }));
  });

  test('warm: restored from the cache under the same package.json key, nothing installed', () => {
    expectSuccess(warm);
    expect(warm.outputs).toMatchObject({ 'cache-hit': 'true', 'cache-key': cold.outputs['cache-key'], 'tests-passed': '2' });
    expect(installCommands(warm)).toEqual([]);
    expect(existsSync(path.join(job.project, 'package-lock.json'))).toBe(false);
  });
});

describe('pnpm through corepack, called by name from the test script', () => {
  const job = newJob('node-pnpm-scripts', COREPACK_ENV);
  let run: ActionResult;

  beforeAll(async () => {
    run = await job.run();
    suite.timings['pnpm-scripts'] = run.durationMs;
  }, 240_000);

  test('`pnpm lint && node --test` passes: corepack’s shims are on PATH (one corepack enable)', () => {
    expectSuccess(run);
    const install = groupLines(run, 'install');
    expect(install.filter((line) => line.startsWith('$ corepack enable'))).toEqual([
      expect.stringMatching(/^\$ corepack enable --install-directory \S+ pnpm$/)
    ]);
    expect(installCommands(run)).toEqual([expect.stringMatching(/^\$ corepack pnpm install --frozen-lockfile\b/)]);
    expect(run.outputs).toMatchObject({ 'tests-passed': '1', 'tests-failed': '0' });
    expect(run.log).toContain('names ok'); // the project's own `pnpm lint`, run from the test script
    expect(run.log).not.toMatch(/pnpm: not found/);
    expect(errors(run)).toEqual([]);
  });
});

describe('eslint lints what the lint script names', () => {
  const job = newJob('node-lint-targets');
  let run: ActionResult;
  let broken: ActionResult;

  beforeAll(async () => {
    run = await job.run();
    suite.timings['lint-targets'] = run.durationMs;
    broken = await job.run({}, (project) => {
      const config = path.join(project, 'eslint.config.js');
      writeFileSync(config, readFileSync(config, 'utf8').replace("'error'", "'eror'"));
    });
    suite.timings['lint-broken-config'] = broken.durationMs;
  }, 240_000);

  test('`eslint src`: the finding in src/ is reported, the one in scripts/ is not', () => {
    expectSuccess(run);
    expect(groupLines(run, 'lint')[0]).toMatch(/eslint --format json src$/);
    const findings = warnings(run).filter((a) => a.title === 'no-unused-vars');
    expect(findings.map((a) => `${a.file}:${a.line}`)).toEqual(['src/total.js:2']);
    expect(run.outputs['lint-findings']).toBe('1');
  });

  test('a broken eslint configuration: one warning with eslint’s reason, the run still passes', () => {
    expectSuccess(broken);
    expect(broken.outputs['cache-hit']).toBe('true');
    expect(warnings(broken).map((a) => a.message)).toEqual([
      expect.stringMatching(/^eslint did not run cleanly \(exit code 2\): Configuration for rule "no-unused-vars" is invalid/)
    ]);
    expect(stageLine(broken, 'lint')).toMatch(/^! lint\s.*exit code 2/);
    expect(broken.outputs['tests-passed']).toBe('1');
  });
});
