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
    name: "root requirements: other tools' pins are left out (docs, mypy, conda's test file)",
    tree: {
      'requirements.txt': 'flask\n',
      'requirements-test.txt': 'pytest\n',
      'requirements_ci.txt': 'pytest-cov\n',
      'dev-requirements.txt': 'ruff\n',
      'requirements-docs.txt': 'sphinx\n',
      'requirements-mypy.txt': 'mypy\n',
      'requirements-conda-test.txt': 'pytest\n',
      'requirements-scipy.txt': 'scipy\n'
    },
    expected: {
      installer: 'pip',
      dependencyFiles: ['dev-requirements.txt', 'requirements-test.txt', 'requirements.txt', 'requirements_ci.txt'],
      args: [...pip, '-r', 'dev-requirements.txt', '-r', 'requirements-test.txt', '-r', 'requirements.txt', '-r', 'requirements_ci.txt']
    }
  },
  {
    name: "root requirements without a base or test file: all but the other tools' ones",
    tree: { 'requirements-prod.txt': 'flask\n', 'requirements-docs.txt': 'sphinx\n' },
    expected: { installer: 'pip', dependencyFiles: ['requirements-prod.txt'], args: [...pip, '-r', 'requirements-prod.txt'] }
  },
  {
    name: "requirements/ folder: a conda file is conda's even when named test",
    tree: { 'requirements/base.txt': 'flask\n', 'requirements/test.txt': '-r base.txt\npytest\n', 'requirements/conda-test.txt': 'pytest\n' },
    expected: { installer: 'pip', dependencyFiles: ['requirements/base.txt', 'requirements/test.txt'], args: [...pip, '-r', 'requirements/test.txt'] }
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

describe('where test dependencies are declared', () => {
  const project = '[project]\nname = "shop"\nversion = "1"\n';
  const plan = (tree: Record<string, string>, available = none) => planPythonInstall({ files: memoryFiles(tree), venv, available });
  const python = '/state/venv/bin/python';
  const upgradePip = { command: python, args: [...pip, 'pip>=25.1'] };

  test.each<{ name: string; tree: Record<string, string>; commands: Array<{ command: string; args: string[] }>; choices?: RegExp; files?: string[] }>([
    {
      name: 'PEP 735 groups named for tests, after a pip new enough for --group',
      tree: { 'pyproject.toml': `${project}[dependency-groups]\ntest = ["pytest", {include-group = "typing"}]\ntyping = ["mypy"]\ndocs = ["sphinx"]\n` },
      commands: [upgradePip, { command: python, args: [...pip, '-e', '.', '--group', 'test'] }],
      choices: /Test dependencies from: \[dependency-groups\] test/
    },
    {
      name: 'groups without an installable project (a uv workspace root without [project])',
      tree: { 'pyproject.toml': '[dependency-groups]\ndev = ["pytest"]\n', 'requirements.txt': 'flask\n' },
      commands: [upgradePip, { command: python, args: [...pip, '-r', 'requirements.txt', '--group', 'dev'] }],
      files: ['pyproject.toml', 'requirements.txt']
    },
    {
      name: "poetry's dev group (poetry absent, no lock): converted for pip, python skipped",
      tree: {
        'pyproject.toml':
          '[tool.poetry]\nname = "shop"\nversion = "1"\n[tool.poetry.dependencies]\npython = "^3.9"\nflask = "^3"\n[tool.poetry.group.dev.dependencies]\npytest = "^8.1"\npytest-cov = { version = "~5.0", extras = ["toml"] }\n[tool.poetry.group.docs.dependencies]\nsphinx = "*"\n[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
      },
      commands: [{ command: python, args: [...pip, '-e', '.', 'pytest>=8.1,<9.0', 'pytest-cov[toml]>=5.0,<5.1'] }],
      choices: /poetry groups dev/
    },
    {
      name: 'poetry 1.1 dev-dependencies',
      tree: { 'pyproject.toml': '[tool.poetry]\nname = "shop"\n[tool.poetry.dev-dependencies]\npytest = ">=6,<8"\nmock = "*"\n' },
      commands: [{ command: python, args: [...pip, '-e', '.', 'pytest>=6,<8', 'mock'] }]
    },
    {
      name: "hatch's default and test environments (extra-dependencies, features)",
      tree: {
        'pyproject.toml': `${project}[project.optional-dependencies]\nweb = ["flask"]\n[tool.hatch.envs.default]\ndependencies = ["coverage"]\n[tool.hatch.envs.hatch-test]\nextra-dependencies = ["pytest-mock"]\nfeatures = ["web"]\n[tool.hatch.envs.docs]\ndependencies = ["sphinx"]\n`
      },
      commands: [{ command: python, args: [...pip, '-e', '.[web]', 'coverage', 'pytest-mock'] }]
    },
    {
      name: "tox's [testenv] deps when nothing else names the runner: -r {toxinidir}, factors and the project skipped",
      tree: {
        'setup.py': 'from setuptools import setup\nsetup()\n',
        'requirements.txt': 'flask\n',
        'tox.ini':
          '[tox]\nenvlist = py311\n\n[base]\ndeps = hypothesis\n\n[testenv]\ndeps =\n    pytest>=7  # the runner\n    -r{toxinidir}/requirements-test.txt\n    -c {toxinidir}/constraints.txt\n    py38: mock\n    {[base]deps}\n    -e .\nextras = testing\ncommands = pytest {posargs}\n',
        'requirements-test.txt': 'pytest-cov\n',
        'constraints.txt': 'flask<4\n'
      },
      commands: [
        {
          command: python,
          args: [...pip, '-r', 'requirements-test.txt', '-r', 'requirements.txt', '-e', '.[testing]', '-c', 'constraints.txt', 'pytest>=7', 'hypothesis']
        }
      ],
      choices: /Test dependencies from: tox\.ini \[testenv\]/,
      files: ['constraints.txt', 'requirements-test.txt', 'requirements.txt', 'setup.py', 'tox.ini']
    },
    {
      name: 'tox deps are not added when a requirements file already names pytest',
      tree: { 'requirements.txt': 'flask\n', 'requirements-dev.txt': 'pytest==8.4.2\n', 'tox.ini': '[testenv]\ndeps = pytest\n    nose2\n' },
      commands: [{ command: python, args: [...pip, '-r', 'requirements-dev.txt', '-r', 'requirements.txt'] }]
    },
    {
      name: 'tox configured in pyproject.toml (native TOML), no other file',
      tree: {
        'pyproject.toml': '[tool.tox]\nenv_list = ["3.11"]\n[tool.tox.env_run_base]\ndeps = ["pytest", "-r requirements-test.txt"]\ncommands = [["pytest"]]\n',
        'requirements-test.txt': 'coverage\n'
      },
      commands: [{ command: python, args: [...pip, '-r', 'requirements-test.txt', 'pytest'] }]
    },
    {
      name: 'tox legacy_tox_ini in pyproject.toml',
      tree: { 'pyproject.toml': `${project}[tool.tox]\nlegacy_tox_ini = """\n[testenv]\ndeps =\n  pytest\n"""\n` },
      commands: [{ command: python, args: [...pip, '-e', '.', 'pytest'] }]
    },
    {
      name: "nox's tests session: session.install literals",
      tree: {
        'requirements.txt': 'flask\n',
        'noxfile.py':
          'import nox\n\n@nox.session(python=["3.11"])\ndef lint(session):\n    session.install("ruff")\n\n@nox.session\ndef tests(session):\n    session.install(\n        "pytest", "pytest-cov",\n    )\n    session.install("-r", "requirements-test.txt")\n    session.run("pytest")\n',
        'requirements-test.txt': 'hypothesis\n'
      },
      commands: [{ command: python, args: [...pip, '-r', 'requirements-test.txt', '-r', 'requirements.txt', 'pytest', 'pytest-cov'] }],
      choices: /noxfile\.py session tests/
    }
  ])('$name', ({ tree, commands, choices, files }) => {
    const result = plan(tree);
    expect(result.commands).toEqual(commands);
    if (choices) expect(result.choices.join('\n')).toMatch(choices);
    if (files) expect(result.dependencyFiles).toEqual(files);
  });

  test('the chosen and left-out requirements files are one log line', () => {
    const result = plan({ 'requirements.txt': '', 'requirements-dev.txt': '', 'requirements-docs.txt': '', 'requirements-conda-test.txt': '' });
    expect(result.choices).toEqual([
      "Requirements files: requirements-dev.txt, requirements.txt; left out: requirements-conda-test.txt (conda's, not pip's), requirements-docs.txt (for docs)"
    ]);
  });

  test('a lock whose tool is missing but on the index: the tool is installed into its own venv, then used', () => {
    const tree = { 'pyproject.toml': '[tool.poetry]\nname = "shop"\n', 'poetry.lock': '' };
    const result = planPythonInstall({
      files: memoryFiles(tree),
      venv,
      available: none,
      fetch: { tool: 'poetry', dir: '/state/tools/poetry', interpreter: '/usr/bin/python3' }
    });
    expect(result.installer).toBe('poetry');
    expect(result.commands).toEqual([
      { command: '/usr/bin/python3', args: ['-m', 'venv', '/state/tools/poetry'] },
      { command: '/state/tools/poetry/bin/python', args: [...pip, 'poetry'] },
      { command: '/state/tools/poetry/bin/poetry', args: ['install', '--no-interaction'], env: { VIRTUAL_ENV: venv, POETRY_VIRTUALENVS_CREATE: 'false' } }
    ]);
    const uv = planPythonInstall({
      files: memoryFiles({ 'pyproject.toml': project, 'uv.lock': '' }),
      venv,
      available: none,
      fetch: { tool: 'uv', dir: '/t/uv', interpreter: '/py' }
    });
    expect(uv.commands[2]).toEqual({ command: '/t/uv/bin/uv', args: ['sync', '--frozen'], env: { UV_PROJECT_ENVIRONMENT: venv } });
  });

  test('a lock whose tool cannot be had: pip with the declared groups, and one note that says so', () => {
    const tree = {
      'pyproject.toml': '[tool.poetry]\nname = "shop"\n[tool.poetry.group.test.dependencies]\npytest = "^8"\n',
      'poetry.lock': ''
    };
    const result = plan(tree);
    expect(result.commands).toEqual([{ command: python, args: [...pip, '-e', '.', 'pytest>=8,<9'] }]);
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toMatch(/poetry\.lock found but poetry is not installed.*poetry groups test with pip/);
  });

  test('a pyproject.toml that is not valid TOML reads as declaring nothing (pip reports it)', () => {
    expect(plan({ 'pyproject.toml': '[project\nname = ', 'requirements.txt': 'x\n' }).commands).toEqual([
      { command: python, args: [...pip, '-r', 'requirements.txt'] }
    ]);
  });
});
