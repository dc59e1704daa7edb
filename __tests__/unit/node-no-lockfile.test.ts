// Installs without a lockfile (installed from package.json, none written, a note about drift, keyed by
// package.json and .npmrc), and corepack's shims on PATH when yarn/pnpm run through corepack.
import { describe, expect, test } from '@jest/globals';
import { planCorepackShims } from '../../src/ecosystems/node/corepack-shims.js';
import { planNodeInstall, type NodeInstallInput } from '../../src/ecosystems/node/install-plan.js';
import { MANIFEST_KEY_PATH } from '../../src/ecosystems/node/key-files.js';
import { lockfileOffByDesign } from '../../src/ecosystems/node/no-lockfile.js';
import { SlipwayError } from '../../src/errors.js';
import { memoryFiles } from '../fixtures/project-files.js';

const pkg = (fields: Record<string, unknown> = {}): string => JSON.stringify({ name: 'lib', version: '1.0.0', dependencies: { ms: '^2.1.3' }, ...fields });
const ROOT = '/work/lib';
const plan = (files: Record<string, string>, overrides: Partial<NodeInstallInput> = {}) =>
  planNodeInstall({
    files: memoryFiles(files),
    root: ROOT,
    downloadsDir: '/state/downloads',
    available: { yarn: false, pnpm: false, corepack: true },
    pathEnv: '/usr/bin',
    stateDir: '/state',
    ...overrides
  });
const line = (result: ReturnType<typeof plan>) => result.commands.map((c) => [c.command, ...c.args]);

describe('no lockfile', () => {
  test.each<[string, Record<string, string>, string[], RegExp]>([
    [
      'npm, .npmrc package-lock=false',
      { 'package.json': pkg(), '.npmrc': 'save-exact=true\npackage-lock=false\n' },
      ['npm', 'install', '--no-package-lock', '--no-audit', '--no-fund'],
      /^The project keeps no lockfile \(\.npmrc\): .*may drift between runs.*Commit package-lock\.json/
    ],
    [
      'npm, no lockfile at all',
      { 'package.json': pkg() },
      ['npm', 'install', '--no-package-lock', '--no-audit', '--no-fund'],
      /^No lockfile \(package-lock\.json\): installed from package\.json without writing one/
    ],
    [
      'pnpm through corepack',
      { 'package.json': pkg({ packageManager: 'pnpm@9.15.0' }) },
      ['corepack', 'pnpm', 'install', '--no-lockfile'],
      /^No lockfile \(pnpm-lock\.yaml\)/
    ],
    [
      'pnpm, .npmrc lockfile=false',
      { 'package.json': pkg({ packageManager: 'pnpm@9.15.0' }), '.npmrc': 'lockfile=false' },
      ['corepack', 'pnpm', 'install', '--no-lockfile'],
      /^The project keeps no lockfile/
    ],
    [
      'Yarn 1 through corepack',
      { 'package.json': pkg({ packageManager: 'yarn@1.22.22' }) },
      ['corepack', 'yarn', 'install', '--no-lockfile', '--non-interactive'],
      /^No lockfile \(yarn\.lock\)/
    ]
  ])('%s: installed from package.json, one note', (_, files, command, note) => {
    const result = plan(files);
    expect(line(result)).toEqual([command]);
    expect(result.notes.filter((n) => /drift/.test(n))).toEqual([expect.stringMatching(note)]);
  });

  test('the key is package.json (its dependency fields) and .npmrc', () => {
    const result = plan({ 'package.json': pkg(), '.npmrc': 'package-lock=false\n' });
    expect(result.dependencyFiles.map((f) => f.path)).toEqual(['.npmrc', MANIFEST_KEY_PATH]);
    const changed = plan({ 'package.json': pkg({ dependencies: { ms: '^2.0.0' } }), '.npmrc': 'package-lock=false\n' });
    expect(changed.dependencyFiles).not.toEqual(result.dependencyFiles);
  });

  test('with a lockfile nothing changes: frozen install, no note', () => {
    const result = plan({ 'package.json': pkg(), 'package-lock.json': '{}' });
    expect(line(result)).toEqual([['npm', 'ci', '--prefer-offline', '--no-audit', '--no-fund']]);
    expect(result.notes).toEqual([]);
  });

  test('an install-command of the user’s own needs no lockfile and gets no note', () => {
    const result = plan({ 'package.json': pkg() }, { installCommands: [['npm', 'install']] });
    expect(result.notes).toEqual([]);
  });

  test('Yarn 2+ cannot install without writing yarn.lock: an error that says how to fix it', () => {
    expect(() => plan({ 'package.json': pkg({ packageManager: 'yarn@4.5.0' }) })).toThrow(SlipwayError);
    expect(() => plan({ 'package.json': pkg({ packageManager: 'yarn@3.6.0' }), '.yarnrc.yml': 'nodeLinker: node-modules\n' })).toThrow(
      /Yarn 2\+ cannot install without/
    );
  });

  test.each([
    ['package-lock=false', true],
    ['  package-lock = false  ', true],
    ['lockfile=false', true],
    ['package-lock=true', false],
    ['# package-lock=false', false],
    ['', false]
  ])('.npmrc %j: off by design = %s', (npmrc, expected) => {
    expect(lockfileOffByDesign(memoryFiles({ '.npmrc': npmrc }))).toBe(expected);
  });
});

describe('corepack shims on PATH', () => {
  const LOCK = "lockfileVersion: '9.0'\n";

  test.each<[string, NodeInstallInput['available'], string | undefined]>([
    ['pnpm not installed: through corepack, its shims first after node_modules/.bin', { yarn: false, pnpm: false, corepack: true }, '/state/corepack-shims'],
    ['pnpm installed: no shims', { yarn: false, pnpm: true, corepack: true }, undefined]
  ])('%s', (_, available, dir) => {
    const result = plan({ 'package.json': pkg({ packageManager: 'pnpm@9.15.0' }), 'pnpm-lock.yaml': LOCK }, { available });
    expect(result.corepackShims?.dir).toBe(dir);
    expect(result.env.PATH).toBe(dir ? `${ROOT}/node_modules/.bin:${dir}:/usr/bin` : `${ROOT}/node_modules/.bin:/usr/bin`);
    expect(result.env.COREPACK_ENABLE_DOWNLOAD_PROMPT).toBe(dir ? '0' : undefined);
  });

  test('one `corepack enable` for the manager, into the run’s folder', () => {
    const shims = planCorepackShims({ manager: 'pnpm', yarnBerry: false, corepack: true }, '/state');
    expect(shims?.enable).toEqual({ command: 'corepack', args: ['enable', '--install-directory', '/state/corepack-shims', 'pnpm'] });
    expect(planCorepackShims({ manager: 'yarn', yarnBerry: true, corepack: true }, '/s')?.enable.args.at(-1)).toBe('yarn');
    expect(planCorepackShims({ manager: 'npm', yarnBerry: false, corepack: false }, '/s')).toBeUndefined();
  });

  test('no state folder given (older callers): PATH as before', () => {
    const result = plan({ 'package.json': pkg({ packageManager: 'pnpm@9.15.0' }), 'pnpm-lock.yaml': LOCK }, { stateDir: undefined });
    expect(result.corepackShims).toBeUndefined();
    expect(result.env).toEqual({ PATH: `${ROOT}/node_modules/.bin:/usr/bin` });
  });
});
