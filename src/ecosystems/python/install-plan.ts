// What a Python project needs installed, and how: a pure decision over the project's files. The
// install stage acts on the plan; tests drive it with in-memory file trees.
import { posix } from 'node:path';
import type { Command, ProjectFiles } from '../ecosystem.js';
import { userCommand } from '../shared.js';
import { declaredTestDeps } from './declared-deps.js';
import { chooseRequirementFiles, isInstallableProject, withIncludes } from './project.js';

export type Installer = 'pip' | 'poetry' | 'uv' | 'custom' | 'none';
export type LockTool = 'poetry' | 'uv';

export interface PythonInstallPlan {
  installer: Installer;
  /** Files whose contents decide what gets installed (relative, sorted): the cache key's checksum. */
  dependencyFiles: string[];
  commands: Command[];
  /** Things a person should know about the choice, e.g. a lock file whose tool is missing. */
  notes: string[];
  /** What was chosen and why, one line each, for the install log. */
  choices: string[];
}

export interface PlanInput {
  files: ProjectFiles;
  /** Absolute path of the virtual environment the commands install into. */
  venv: string;
  /** Tools found on PATH. */
  available: { poetry: boolean; uv: boolean };
  /**
   * A lock file's tool that is not on PATH but the package index has: the install first puts it
   * in a virtualenv of its own, `dir`, made with `interpreter`.
   */
  fetch?: { tool: LockTool; dir: string; interpreter: string };
  /** The user's install-command, one command a line. */
  installCommands?: string[][];
}

/** pip's first release with `--group` (PEP 735 dependency groups). */
const PIP_WITH_GROUPS = 'pip>=25.1';
const PIP_INSTALL = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input'];

export function venvPython(venv: string): string {
  return posix.join(venv, 'bin', 'python');
}

/** The lock file whose tool would do the install, if any (uv's first, as before). */
export function lockTool(files: ProjectFiles): LockTool | undefined {
  if (files.read('uv.lock') !== undefined) return 'uv';
  if (files.read('poetry.lock') !== undefined) return 'poetry';
  return undefined;
}

export function planPythonInstall({ files, venv, available, fetch, installCommands }: PlanInput): PythonInstallPlan {
  const python = venvPython(venv);
  const choice = chooseRequirementFiles(files);
  const requirements = choice.chosen;
  const pyproject = files.read('pyproject.toml');
  const projectFiles = ['pyproject.toml', 'setup.py', 'setup.cfg'].filter((f) => files.read(f) !== undefined);
  const lockFiles = ['poetry.lock', 'uv.lock'].filter((f) => files.read(f) !== undefined);
  const keyFiles = (list: string[]): string[] => [...new Set(list)].sort();
  const notes: string[] = [];
  const choices: string[] = [];

  if (installCommands && installCommands.length > 0) {
    return {
      installer: 'custom',
      dependencyFiles: keyFiles([...withIncludes(files, requirements), ...projectFiles, ...lockFiles]),
      commands: installCommands.map(userCommand),
      notes,
      choices
    };
  }

  const tool = lockTool(files);
  if (tool) {
    const lock = `${tool}.lock`;
    const fetched = fetch?.tool === tool ? fetch : undefined;
    if (available[tool] || fetched) {
      const bin = fetched ? posix.join(fetched.dir, 'bin', tool) : tool;
      const getTool: Command[] = fetched
        ? [
            { command: fetched.interpreter, args: ['-m', 'venv', fetched.dir] },
            { command: venvPython(fetched.dir), args: [...PIP_INSTALL, tool] }
          ]
        : [];
      if (fetched) choices.push(`${tool} is not installed: installing it into ${fetched.dir} to install from ${lock}`);
      const run: Command =
        tool === 'uv'
          ? { command: bin, args: ['sync', '--frozen'], env: { UV_PROJECT_ENVIRONMENT: venv } }
          : { command: bin, args: ['install', '--no-interaction'], env: { VIRTUAL_ENV: venv, POETRY_VIRTUALENVS_CREATE: 'false' } };
      return { installer: tool, dependencyFiles: keyFiles([lock, ...projectFiles]), commands: [...getTool, run], notes, choices };
    }
  }

  // poetry does not do this install: its groups are read here, for pip.
  const declared = declaredTestDeps({ files, requirementFiles: requirements, poetryGroups: true });
  if (tool) {
    const how = declared.sources.length > 0 ? `pyproject.toml and ${declared.sources.join('; ')}` : 'pyproject.toml';
    notes.push(
      `${tool}.lock found but ${tool} is not installed and could not be installed from the package index; installing from ${how} with pip (the lock file is not honoured). Install ${tool} before Slipway to use the lock.`
    );
  }
  notes.push(...declared.notes);
  if (requirements.length > 0 || choice.leftOut.length > 0) {
    const leftOut = choice.leftOut.map(({ file, why }) => `${file} (${why})`).join(', ');
    choices.push(`Requirements files: ${requirements.join(', ') || 'none'}${leftOut ? `; left out: ${leftOut}` : ''}`);
  }
  if (declared.sources.length > 0) choices.push(`Test dependencies from: ${declared.sources.join('; ')}`);

  const args = [...PIP_INSTALL];
  for (const file of requirements) args.push('-r', file);
  const installable = pyproject !== undefined ? isInstallableProject(pyproject) : files.read('setup.py') !== undefined;
  const extras = installable ? declared.extras : [];
  if (installable) args.push('-e', extras.length > 0 ? `.[${extras.join(',')}]` : '.');
  for (const group of declared.groups) args.push('--group', group);
  for (const file of declared.files.filter((f) => !requirements.includes(f))) args.push('-r', file);
  for (const file of declared.constraints) args.push('-c', file);
  args.push(...declared.requirements);
  if (args.length === PIP_INSTALL.length) {
    return { installer: 'none', dependencyFiles: [], commands: [], notes, choices };
  }
  // The venv's own pip may predate dependency groups; this is a no-op once it is new enough.
  const upgrade: Command[] = declared.groups.length > 0 ? [{ command: python, args: [...PIP_INSTALL, PIP_WITH_GROUPS] }] : [];
  const read = [...withIncludes(files, [...requirements, ...declared.files, ...declared.constraints]), ...declared.keyFiles];
  const keyed = installable || declared.groups.length > 0 || declared.requirements.length > 0 ? projectFiles : [];
  return {
    installer: 'pip',
    dependencyFiles: keyFiles([...read, ...keyed, ...lockFiles]),
    commands: [...upgrade, { command: python, args }],
    notes,
    choices
  };
}
