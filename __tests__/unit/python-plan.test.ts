import { describe, expect, test } from '@jest/globals';
import { planPythonInstall, type PythonInstallPlan } from '../../src/ecosystems/python/install-plan.js';
import { declaredExtras, isInstallableProject } from '../../src/ecosystems/python/project.js';
import { memoryFiles } from '../fixtures/project-files.js';

const venv = '/state/venv';
const pip = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input'];
const none = { poetry: false, uv: false };

interface Case {
  name: string;
  tree: Record<string, string>;
  available?: { poetry: boolean; uv: boolean };
  installCommands?: string[][];
  expected: Partial<PythonInstallPlan> & { args?: string[] };
}

const cases: Case[] = [
  { name: 'nothing to install', tree: { 'app.py': '' }, expected: { installer: 'none', dependencyFiles: [], commands: [] } },
  {
    name: 'root requirements files, includes followed for the key',
    tree: {
      'requirements.txt': 'flask\n',
      'requirements-dev.txt': '-r requirements.txt\n-c constraints/pins.txt\npytest\n',
      'constraints/pins.txt': 'flask==3\n'
    },
    expected: {
      installer: 'pip',
      dependencyFiles: ['constraints/pins.txt', 'requirements-dev.txt', 'requirements.txt'],
      args: [...pip, '-r', 'requirements-dev.txt', '-r', 'requirements.txt']
    }
  },
  {
    name: 'requirements/ folder: dev file that includes the base',
    tree: { 'requirements/base.txt': 'flask\n', 'requirements/dev.txt': '-r base.txt\npytest\n', 'requirements/prod.txt': '-r base.txt\ngunicorn\n' },
    expected: { installer: 'pip', dependencyFiles: ['requirements/base.txt', 'requirements/dev.txt'], args: [...pip, '-r', 'requirements/dev.txt'] }
  },
  {
    name: 'requirements/ folder without a dev file installs them all',
    tree: { 'requirements/base.txt': 'flask\n', 'requirements/web.txt': 'gunicorn\n' },
    expected: { installer: 'pip', args: [...pip, '-r', 'requirements/base.txt', '-r', 'requirements/web.txt'] }
  },
  {
    name: 'pyproject with dev and test extras',
    tree: {
      'pyproject.toml':
        '[project]\nname = "shop"\n\n[project.optional-dependencies]\ndev = ["ruff"]\ntest = ["pytest"]\ndocs = ["sphinx"]\n\n[tool.ruff]\nline-length = 100\n'
    },
    expected: { installer: 'pip', dependencyFiles: ['pyproject.toml'], args: [...pip, '-e', '.[dev,test]'] }
  },
  {
    name: 'pyproject without extras',
    tree: { 'pyproject.toml': '[build-system]\nrequires = ["setuptools"]\n', 'setup.cfg': '[metadata]\nname = shop\n' },
    expected: { installer: 'pip', dependencyFiles: ['pyproject.toml', 'setup.cfg'], args: [...pip, '-e', '.'] }
  },
  {
    name: 'pyproject that only configures tools is not installed, requirements are',
    tree: { 'pyproject.toml': '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n', 'requirements.txt': 'flask\n' },
    expected: { installer: 'pip', dependencyFiles: ['requirements.txt'], args: [...pip, '-r', 'requirements.txt'] }
  },
  {
    name: 'setup.py only',
    tree: { 'setup.py': 'from setuptools import setup\nsetup()\n' },
    expected: { installer: 'pip', dependencyFiles: ['setup.py'], args: [...pip, '-e', '.'] }
  },
  {
    name: 'poetry.lock with poetry available',
    tree: { 'pyproject.toml': '[tool.poetry]\nname = "shop"\n', 'poetry.lock': '# lock\n' },
    available: { poetry: true, uv: false },
    expected: { installer: 'poetry', dependencyFiles: ['poetry.lock', 'pyproject.toml'] }
  },
  {
    name: 'poetry.lock without poetry falls back to pip, with a note',
    tree: { 'pyproject.toml': '[tool.poetry]\nname = "shop"\n', 'poetry.lock': '# lock\n' },
    expected: { installer: 'pip', dependencyFiles: ['poetry.lock', 'pyproject.toml'], args: [...pip, '-e', '.'] }
  },
  {
    name: 'uv.lock with uv available',
    tree: { 'pyproject.toml': '[project]\nname = "shop"\n', 'uv.lock': 'version = 1\n' },
    available: { poetry: true, uv: true },
    expected: { installer: 'uv', dependencyFiles: ['pyproject.toml', 'uv.lock'] }
  },
  {
    name: 'install-command replaces the detected command, files still key the cache',
    tree: { 'requirements.txt': 'flask\n' },
    installCommands: [
      ['pip', 'install', '-r', 'requirements.txt'],
      ['pip', 'install', 'gunicorn']
    ],
    expected: {
      installer: 'custom',
      dependencyFiles: ['requirements.txt'],
      commands: [
        { command: 'pip', args: ['install', '-r', 'requirements.txt'] },
        { command: 'pip', args: ['install', 'gunicorn'] }
      ]
    }
  }
];

describe('planPythonInstall', () => {
  test.each(cases)('$name', ({ tree, available, installCommands, expected }) => {
    const plan = planPythonInstall({ files: memoryFiles(tree), venv, available: available ?? none, installCommands });
    const { args, ...rest } = expected;
    expect(plan).toMatchObject(rest);
    if (args) expect(plan.commands).toEqual([{ command: '/state/venv/bin/python', args }]);
  });

  test('a lock file whose tool is missing is explained', () => {
    const plan = planPythonInstall({ files: memoryFiles({ 'pyproject.toml': '[project]\n', 'uv.lock': '' }), venv, available: none });
    expect(plan.notes.join(' ')).toMatch(/uv\.lock found but uv is not installed/);
  });

  test('poetry and uv install into the Slipway environment', () => {
    const poetry = planPythonInstall({
      files: memoryFiles({ 'pyproject.toml': '[tool.poetry]\n', 'poetry.lock': '' }),
      venv,
      available: { poetry: true, uv: false }
    });
    expect(poetry.commands[0].env).toMatchObject({ VIRTUAL_ENV: venv });
    const uv = planPythonInstall({ files: memoryFiles({ 'pyproject.toml': '[project]\n', 'uv.lock': '' }), venv, available: { poetry: false, uv: true } });
    expect(uv.commands[0]).toEqual({ command: 'uv', args: ['sync', '--frozen'], env: { UV_PROJECT_ENVIRONMENT: venv } });
  });

  test('an include cycle terminates', () => {
    const plan = planPythonInstall({
      files: memoryFiles({ 'requirements.txt': '-r requirements-dev.txt\n', 'requirements-dev.txt': '-r requirements.txt\n' }),
      venv,
      available: none
    });
    expect(plan.dependencyFiles).toEqual(['requirements-dev.txt', 'requirements.txt']);
  });
});

describe('pyproject reading', () => {
  test.each([
    ['[project]\nname="x"', true],
    ['[build-system]\nrequires=[]', true],
    ['[tool.poetry]\nname="x"', true],
    ['[tool.ruff]\nline-length=1', false],
    ['# [project]\n[tool.black]', false]
  ])('installable(%j) is %s', (text, expected) => {
    expect(isInstallableProject(text)).toBe(expected);
  });

  test.each([
    ['[project.optional-dependencies]\ndev = ["a"]\n"test" = [\n "b",\n]\n[tool.x]\nlint = 1', ['dev', 'test']],
    ['[project]\nname = "x"', []],
    ['[project.optional-dependencies]\n', []]
  ])('extras of %j', (text, expected) => {
    expect(declaredExtras(text)).toEqual(expected);
  });
});
