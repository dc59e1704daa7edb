// What a Python project needs installed, and how: a pure decision over the project's files. The
// install stage acts on the plan; tests drive it with in-memory file trees.
import { posix } from 'node:path';
import type { Command, ProjectFiles } from '../ecosystem.js';
import { userCommand } from '../shared.js';
import { declaredExtras, isInstallableProject, requirementFiles, withIncludes } from './project.js';

export type Installer = 'pip' | 'poetry' | 'uv' | 'custom' | 'none';

export interface PythonInstallPlan {
  installer: Installer;
  /** Files whose contents decide what gets installed (relative, sorted): the cache key's checksum. */
  dependencyFiles: string[];
  commands: Command[];
  /** Things a person should know about the choice, e.g. a lock file whose tool is missing. */
  notes: string[];
}

export interface PlanInput {
  files: ProjectFiles;
  /** Absolute path of the virtual environment the commands install into. */
  venv: string;
  /** Tools found on PATH. */
  available: { poetry: boolean; uv: boolean };
  /** The user's install-command, one command a line. */
  installCommands?: string[][];
}

export function venvPython(venv: string): string {
  return posix.join(venv, 'bin', 'python');
}

export function planPythonInstall({ files, venv, available, installCommands }: PlanInput): PythonInstallPlan {
  const python = venvPython(venv);
  const requirements = requirementFiles(files);
  const pyproject = files.read('pyproject.toml');
  const projectFiles = ['pyproject.toml', 'setup.py', 'setup.cfg'].filter((f) => files.read(f) !== undefined);
  const lockFiles = ['poetry.lock', 'uv.lock'].filter((f) => files.read(f) !== undefined);
  const keyFiles = (list: string[]): string[] => [...new Set(list)].sort();
  const notes: string[] = [];

  if (installCommands && installCommands.length > 0) {
    return {
      installer: 'custom',
      dependencyFiles: keyFiles([...withIncludes(files, requirements), ...projectFiles, ...lockFiles]),
      commands: installCommands.map(userCommand),
      notes
    };
  }

  if (files.read('uv.lock') !== undefined) {
    if (available.uv) {
      return {
        installer: 'uv',
        dependencyFiles: keyFiles(['uv.lock', ...projectFiles]),
        commands: [{ command: 'uv', args: ['sync', '--frozen'], env: { UV_PROJECT_ENVIRONMENT: venv } }],
        notes
      };
    }
    notes.push(
      'uv.lock found but uv is not installed; installing from pyproject.toml with pip (the lock file is not honoured). Install uv before Slipway to use the lock.'
    );
  } else if (files.read('poetry.lock') !== undefined) {
    if (available.poetry) {
      return {
        installer: 'poetry',
        dependencyFiles: keyFiles(['poetry.lock', ...projectFiles]),
        commands: [{ command: 'poetry', args: ['install', '--no-interaction'], env: { VIRTUAL_ENV: venv, POETRY_VIRTUALENVS_CREATE: 'false' } }],
        notes
      };
    }
    notes.push(
      'poetry.lock found but poetry is not installed; installing from pyproject.toml with pip (the lock file is not honoured). Install poetry before Slipway to use the lock.'
    );
  }

  const args = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input'];
  for (const file of requirements) args.push('-r', file);
  const installable = pyproject !== undefined ? isInstallableProject(pyproject) : files.read('setup.py') !== undefined;
  if (installable) {
    const extras = pyproject ? declaredExtras(pyproject).filter((name) => /^(dev|test|tests|testing)$/i.test(name)) : [];
    args.push('-e', extras.length > 0 ? `.[${extras.join(',')}]` : '.');
  }
  if (requirements.length === 0 && !installable) {
    return { installer: 'none', dependencyFiles: [], commands: [], notes };
  }
  return {
    installer: 'pip',
    dependencyFiles: keyFiles([...withIncludes(files, requirements), ...(installable ? projectFiles : []), ...lockFiles]),
    commands: [{ command: python, args }],
    notes
  };
}
