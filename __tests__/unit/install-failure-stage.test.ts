// A failed install's details are the lines that say why, from the failing command's own output.
import { describe, expect, test } from '@jest/globals';
import { buildConfig } from '../../src/config.js';
import type { Ports } from '../../src/context.js';
import type { Ecosystem, InstallPlan } from '../../src/ecosystems/ecosystem.js';
import { install } from '../../src/stages/install.js';
import { fakeFiles, fakeHost, fakeReporter, fakeRunner, noHttp } from '../fixtures/fake-ports.js';
import { STAGE_PROJECT, stageContext } from '../fixtures/stage-context.js';

const project = STAGE_PROJECT;
const context = stageContext;

const plan: InstallPlan = {
  installer: 'pip',
  runtime: 'python-3.11',
  interpreterPath: '/usr/bin/python3',
  files: [],
  create: { command: 'python3', args: ['-m', 'venv', '/state/venv'] },
  commands: [{ command: '/state/venv/bin/python', args: ['-m', 'pip', 'install', '-r', 'requirements.txt'] }],
  cachePaths: ['/state/venv'],
  stampPath: '/state/venv/.stamp',
  env: {},
  installEnv: {},
  nothingToInstall: false,
  notes: []
};

function ecosystemWith(explain?: string): Ecosystem {
  return {
    name: 'python',
    detect: () => true,
    planInstall: async () => ({
      plan,
      verify: async () => false,
      environment: async () => ({ root: project, env: {}, data: undefined }),
      explain: () => explain
    }),
    planTests: () => ({ runner: 'none', commands: [], junit: [], notes: [] }),
    planLint: () => undefined,
    addLinter: '',
    isTestFile: () => false,
    listInstalled: () => []
  };
}

async function failWith(stderr: string, explain?: string) {
  // The create step prints an ERROR-looking line too: only the failing command's output counts.
  const runner = fakeRunner((args) => (args.includes('venv') ? { stdout: 'ERROR: not this one' } : { code: 1, stdout: 'Collecting flask\n', stderr }));
  const ports: Ports = { runner, reporter: fakeReporter().reporter, http: noHttp, files: fakeFiles(), host: fakeHost() };
  return install({ ...(await buildConfig(() => '', project)), cache: false }, context, ports, ecosystemWith(explain));
}

describe('install stage failure details', () => {
  test('the key lines of the failing command, not the tail of the log', async () => {
    const stderr = "WARNING: Retrying (Retry(total=0)) after connection broken by 'x': /simple/nosuch/\nERROR: No matching distribution found for nosuch\n";
    const outcome = await failWith(stderr, 'pip found no release of nosuch');
    expect(outcome.stage).toMatchObject({
      status: 'failure',
      headline: 'pip found no release of nosuch',
      details: ['ERROR: No matching distribution found for nosuch']
    });
  });

  test('output with no recognised line: the log tail, and the command in the headline', async () => {
    const outcome = await failWith('Segmentation fault\n');
    expect(outcome.stage.headline).toBe('install failed: `/state/venv/bin/python -m pip install -r requirements.txt` exited with 1');
    expect(outcome.stage.details?.[0]).toContain('Segmentation fault');
  });
});
