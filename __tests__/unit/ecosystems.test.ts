// The Ecosystem interface as the stages use it, over fake ports: which ecosystem a project is, how
// each plans its install from probes, the files and the host, and what each lists as installed.
import { describe, expect, test } from '@jest/globals';
import type { Language } from '../../src/config.js';
import { pickEcosystem } from '../../src/ecosystems/detect.js';
import type { Environment } from '../../src/ecosystems/ecosystem.js';
import { node } from '../../src/ecosystems/node/index.js';
import type { NodeData } from '../../src/ecosystems/node/environment.js';
import { lockfileResolutions } from '../../src/ecosystems/node/installed.js';
import type { PythonData } from '../../src/ecosystems/python/environment.js';
import { python } from '../../src/ecosystems/python/index.js';
import { metadataNameVersion, normalizedName } from '../../src/ecosystems/python/installed.js';
import { INTERPRETER_PROBE, TOOLS_PROBE } from '../../src/ecosystems/python/tools.js';
import { StageLog } from '../../src/stage-log.js';
import { fakeFiles, fakeHost, fakeRunner, type RunnerAnswer } from '../fixtures/fake-ports.js';
import { memoryFiles } from '../fixtures/project-files.js';

const ROOT = '/work/shop';
const VENV = '/state/venv';
const SITE = `${VENV}/lib/python3.11/site-packages`;

describe('pickEcosystem', () => {
  test.each<[string, Record<string, string>, Language, string]>([
    ['requirements.txt', { 'requirements.txt': '' }, 'auto', 'python'],
    ['a package.json alone', { 'package.json': '{}' }, 'auto', 'node'],
    ['Python files win over a front end package.json', { 'package.json': '{}', 'app.py': '' }, 'auto', 'python'],
    ['a requirements/ folder', { 'package.json': '{}', 'requirements/base.txt': '' }, 'auto', 'python'],
    ['nothing recognisable: Python', { 'README.md': '' }, 'auto', 'python'],
    ['the language input wins', { 'requirements.txt': '' }, 'node', 'node']
  ])('%s', (_, tree, language, expected) => {
    expect(pickEcosystem(memoryFiles(tree), language).name).toBe(expected);
  });
});

const interpreter = { implementation: 'cpython', version: '3.11.7', executable: '/usr/bin/python3.11' };
const pythonAnswers =
  (tools: Record<string, boolean> = {}): RunnerAnswer =>
  (args) =>
    args[1] === INTERPRETER_PROBE
      ? { stdout: JSON.stringify(interpreter) }
      : args[1] === TOOLS_PROBE
        ? { stdout: JSON.stringify({ prefix: VENV, tools }) }
        : {};

describe('python.planInstall', () => {
  const plan = async (tree: Record<string, string>, programs: string[] = [], answer = pythonAnswers()) => {
    const runner = fakeRunner(answer);
    const files = fakeFiles(Object.fromEntries(Object.entries(tree).map(([path, text]) => [`${ROOT}/${path}`, text])));
    const request = { config: { workingDirectory: ROOT, python: 'python3' }, stateDir: '/state' };
    const installation = await python.planInstall(request, { log: new StageLog(runner), files, host: fakeHost(programs) });
    return { installation, runner, files };
  };

  test('a virtualenv in the state folder, made by the probed interpreter; PATH from the host', async () => {
    const { installation } = await plan({ 'requirements.txt': 'flask\n' });
    expect(installation.plan).toMatchObject({
      installer: 'pip',
      runtime: 'python-cpython-3.11.7',
      interpreterPath: '/usr/bin/python3.11',
      files: [{ path: 'requirements.txt', content: 'flask\n' }],
      create: { command: '/usr/bin/python3.11', args: ['-m', 'venv', VENV] },
      cachePaths: [VENV],
      env: { VIRTUAL_ENV: VENV, PATH: `${VENV}/bin:/usr/bin:/bin`, PYTHONDONTWRITEBYTECODE: '1' }
    });
  });

  test('uv is used only when the project has uv.lock and the host has uv', async () => {
    expect((await plan({ 'uv.lock': '', 'pyproject.toml': '[project]\n' }, ['uv'])).installation.plan.installer).toBe('uv');
    expect((await plan({ 'uv.lock': '', 'pyproject.toml': '[project]\n' }, [])).installation.plan.installer).toBe('pip');
  });

  test('an interpreter that does not run is a clear error', async () => {
    await expect(plan({}, [], () => ({ code: 127 }))).rejects.toThrow(/Input `python`: "python3" was not found or does not run/);
  });

  test("just restored, the install's own record of the tools is trusted: no interpreter start", async () => {
    const { installation, runner, files } = await plan({ 'requirements.txt': 'flask\n' }, [], pythonAnswers({ pytest: true }));
    await installation.record?.();
    const starts = runner.calls.length;
    files.write(`${VENV}/pyvenv.cfg`, 'home = /usr/bin\n');
    const restored = await python.planInstall(
      { config: { workingDirectory: ROOT, python: 'python3' }, stateDir: '/state' },
      {
        log: new StageLog(runner),
        files: { ...files, resolve: (path) => (path === `${VENV}/bin/python` ? interpreter.executable : undefined) },
        host: fakeHost()
      }
    );
    const probesBefore = runner.calls.length;
    expect(await restored.verify(true)).toBe(true);
    expect(runner.calls.length).toBe(probesBefore);
    expect(probesBefore).toBe(starts + 1); // only the interpreter probe of the second plan
    expect((await restored.environment()).data.tools.pytest).toBe(true);
  });
});

describe('node.planInstall', () => {
  const answer: RunnerAnswer = (args) => (args[0] === '-p' ? { stdout: JSON.stringify(['20.11.1', '/usr/bin/node', false]) } : { stdout: '10.2.4\n' });
  const files = fakeFiles({
    [`${ROOT}/package.json`]: JSON.stringify({ scripts: { test: 'jest' }, devDependencies: { jest: '^30' } }),
    [`${ROOT}/package-lock.json`]: '{}',
    [`${ROOT}/node_modules/jest/package.json`]: '{"name":"jest","version":"30.0.0"}'
  });

  test('runtime from the probes, PATH from the host, node_modules verified through the files', async () => {
    const runner = fakeRunner(answer);
    const installation = await node.planInstall(
      { config: { workingDirectory: ROOT, python: 'python3' }, stateDir: '/state' },
      { log: new StageLog(runner), files, host: fakeHost([], { PATH: '/bin' }) }
    );
    expect(installation.plan).toMatchObject({ installer: 'npm', runtime: 'node-20.11.1-npm-10.2.4', env: { PATH: `${ROOT}/node_modules/.bin:/bin` } });
    expect(await installation.verify(true)).toBe(true);
    const environment = await installation.environment();
    expect(environment.data).toMatchObject({ tools: { jest: true, eslint: false }, scripts: { test: 'jest' }, pnp: false });
  });
});

describe('listInstalled', () => {
  const pythonEnv: Environment<PythonData> = {
    root: ROOT,
    env: {},
    data: { venv: VENV, python: `${VENV}/bin/python`, tools: { pytest: false, pytest_cov: false, coverage: false, flake8: false, ruff: false } }
  };

  test('Python: every distribution in site-packages by its PyPI name; the project itself left out', () => {
    const files = fakeFiles({
      [`${SITE}/Flask-3.0.0.dist-info/METADATA`]: 'Metadata-Version: 2.1\nName: Flask\nVersion: 3.0.0\n\nVersion: 9 in the description\n',
      [`${SITE}/typing_extensions-4.12.2.dist-info/METADATA`]: 'Metadata-Version: 2.3\r\nName: typing_extensions\r\nVersion: 4.12.2\r\n',
      [`${SITE}/shop-0.1.0.dist-info/METADATA`]: 'Name: shop\nVersion: 0.1.0\n',
      [`${SITE}/shop-0.1.0.dist-info/direct_url.json`]: '{"url": "file:///work/shop", "dir_info": {"editable": true}}',
      [`${SITE}/broken-1.0.dist-info/RECORD`]: '',
      [`${SITE}/flask/__init__.py`]: ''
    });
    expect(python.listInstalled(pythonEnv, files)).toEqual([
      { name: 'flask', version: '3.0.0', ecosystem: 'PyPI' },
      { name: 'typing-extensions', version: '4.12.2', ecosystem: 'PyPI' }
    ]);
  });

  test.each([
    ['Flask', 'flask'],
    ['zope.interface', 'zope-interface'],
    ['Foo__Bar-.baz', 'foo-bar-baz']
  ])('PEP 503 name of %s', (name, expected) => {
    expect(normalizedName(name)).toBe(expected);
  });

  test('METADATA without a version names nothing', () => {
    expect(metadataNameVersion('Name: x\n')).toBeUndefined();
  });

  const nodeEnv = (pnp: boolean): Environment<NodeData> => ({
    root: ROOT,
    env: {},
    data: {
      tools: { jest: false, vitest: false, vitestCoverage: false, eslint: false },
      runner: { manager: 'npm', yarnBerry: false, corepack: false },
      scripts: {},
      pnp,
      nodeCoverageInOptions: false
    }
  });
  const pkg = (name: string, version: string): string => JSON.stringify({ name, version });

  test('Node: node_modules, nested and scoped packages, pnpm’s store and workspaces; no duplicates', () => {
    const files = fakeFiles({
      [`${ROOT}/package.json`]: JSON.stringify({ workspaces: ['packages/*'] }),
      [`${ROOT}/packages/api/package.json`]: pkg('api', '1.0.0'),
      [`${ROOT}/packages/api/node_modules/ms/package.json`]: pkg('ms', '2.1.3'),
      [`${ROOT}/node_modules/express/package.json`]: pkg('express', '4.19.2'),
      [`${ROOT}/node_modules/express/node_modules/debug/package.json`]: pkg('debug', '2.6.9'),
      [`${ROOT}/node_modules/debug/package.json`]: pkg('debug', '4.3.4'),
      [`${ROOT}/node_modules/@scope/lib/package.json`]: pkg('@scope/lib', '0.1.0'),
      [`${ROOT}/node_modules/.bin/express`]: '',
      [`${ROOT}/node_modules/.pnpm/ms@2.1.3/node_modules/ms/package.json`]: pkg('ms', '2.1.3'),
      [`${ROOT}/node_modules/.pnpm/chalk@5.3.0/node_modules/chalk/package.json`]: pkg('chalk', '5.3.0'),
      [`${ROOT}/node_modules/no-version/package.json`]: JSON.stringify({ name: 'no-version' })
    });
    expect(node.listInstalled(nodeEnv(false), files).map((p) => `${p.ecosystem}:${p.name}@${p.version}`)).toEqual([
      'npm:@scope/lib@0.1.0',
      'npm:chalk@5.3.0',
      'npm:debug@2.6.9',
      'npm:debug@4.3.4',
      'npm:express@4.19.2',
      'npm:ms@2.1.3'
    ]);
  });

  test("Node under Plug'n'Play: what yarn.lock resolved from the registry", () => {
    const lock = [
      '__metadata:\n  version: 8\n',
      '"@babel/core@npm:^7.0.0":\n  version: 7.24.0\n  resolution: "@babel/core@npm:7.24.0"\n',
      '"ms@npm:^2.1.3":\n  version: 2.1.3\n  resolution: "ms@npm:2.1.3"\n',
      '"shop@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "shop@workspace:."\n'
    ].join('\n');
    expect(lockfileResolutions(lock)).toEqual([
      { name: '@babel/core', version: '7.24.0' },
      { name: 'ms', version: '2.1.3' }
    ]);
    expect(node.listInstalled(nodeEnv(true), fakeFiles({ [`${ROOT}/yarn.lock`]: lock }))).toEqual([
      { name: '@babel/core', version: '7.24.0', ecosystem: 'npm' },
      { name: 'ms', version: '2.1.3', ecosystem: 'npm' }
    ]);
  });
});
