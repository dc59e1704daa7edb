// What a Python project needs installed, and how: pure decisions over the project's files.
// The install stage acts on the plan; tests drive these functions with in-memory file trees.
import { posix } from 'node:path';

/** Read-only view of the project tree; paths are relative to the project root, `/`-separated. */
export interface ProjectFiles {
  /** Names of the files in a folder (not recursive); [] when it does not exist. */
  list(dir: string): string[];
  /** A file's text, or undefined when it does not exist. */
  read(path: string): string | undefined;
}

export interface Command {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

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

const REQUIREMENTS_FILE = /^requirements.*\.txt$/i;
/** In a requirements/ folder, these usually pull the base file in with `-r`. */
const DEV_REQUIREMENTS = /(dev|test|ci)/i;

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
      commands: installCommands.map(([command, ...args]) => ({ command, args })),
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
    notes.push('uv.lock found but uv is not installed; installing from pyproject.toml with pip (the lock file is not honoured). Install uv before Slipway to use the lock.');
  } else if (files.read('poetry.lock') !== undefined) {
    if (available.poetry) {
      return {
        installer: 'poetry',
        dependencyFiles: keyFiles(['poetry.lock', ...projectFiles]),
        commands: [{ command: 'poetry', args: ['install', '--no-interaction'], env: { VIRTUAL_ENV: venv, POETRY_VIRTUALENVS_CREATE: 'false' } }],
        notes
      };
    }
    notes.push('poetry.lock found but poetry is not installed; installing from pyproject.toml with pip (the lock file is not honoured). Install poetry before Slipway to use the lock.');
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

/**
 * The requirements files to install: every requirements*.txt at the root; else, from a
 * requirements/ folder, the dev/test/ci ones (which include the base) or, when none, all of them.
 */
export function requirementFiles(files: ProjectFiles): string[] {
  const root = files.list('').filter((name) => REQUIREMENTS_FILE.test(name)).sort();
  if (root.length > 0) return root;
  const folder = files
    .list('requirements')
    .filter((name) => name.endsWith('.txt'))
    .sort();
  const dev = folder.filter((name) => DEV_REQUIREMENTS.test(name));
  return (dev.length > 0 ? dev : folder).map((name) => `requirements/${name}`);
}

/** Adds the files that `-r` / `-c` lines pull in, transitively, so a change in any of them changes the key. */
export function withIncludes(files: ProjectFiles, roots: string[]): string[] {
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    const text = files.read(path);
    if (text === undefined) return;
    seen.add(path);
    for (const line of text.split(/\r?\n/)) {
      const match = /^\s*(?:-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)/.exec(line);
      if (match) visit(posix.normalize(posix.join(posix.dirname(path), match[1])));
    }
  };
  roots.forEach(visit);
  return [...seen];
}

/** A pyproject.toml that only configures tools (ruff, pytest) cannot be installed. */
export function isInstallableProject(pyproject: string): boolean {
  return /^\s*\[(project|build-system|tool\.poetry)\]\s*$/m.test(pyproject);
}

/** Names declared under [project.optional-dependencies]. */
export function declaredExtras(pyproject: string): string[] {
  const section = tomlSection(pyproject, 'project.optional-dependencies');
  if (section === undefined) return [];
  const names: string[] = [];
  for (const line of section.split(/\r?\n/)) {
    const match = /^\s*["']?([A-Za-z0-9][A-Za-z0-9._-]*)["']?\s*=/.exec(line);
    if (match) names.push(match[1]);
  }
  return names;
}

/** The body of one `[table]` of a TOML document (up to the next table header). */
function tomlSection(toml: string, table: string): string | undefined {
  const lines = toml.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === `[${table}]`);
  if (start < 0) return undefined;
  const end = lines.findIndex((line, i) => i > start && /^\s*\[[^\]]+\]\s*$/.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** A Python script that prints what the cache key needs to know about an interpreter. */
export const INTERPRETER_PROBE = [
  'import json, os, platform, sys',
  'print(json.dumps({"implementation": platform.python_implementation().lower(),',
  ' "version": platform.python_version(), "executable": os.path.realpath(sys.executable)}))'
].join('\n');

export interface Interpreter {
  implementation: string;
  version: string;
  executable: string;
}

export function parseInterpreter(stdout: string): Interpreter | undefined {
  try {
    const value = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Partial<Interpreter>;
    if (typeof value.implementation === 'string' && typeof value.version === 'string' && typeof value.executable === 'string') {
      return { implementation: value.implementation, version: value.version, executable: value.executable };
    }
  } catch {
    // not the probe's output
  }
  return undefined;
}

/**
 * Which Python tools an environment has (the test and lint stages pick their commands from this),
 * and where the environment's interpreter thinks it lives (a restored environment must agree).
 */
export const TOOLS_PROBE = [
  'import importlib.util, json, sys, os',
  'names = ["pytest", "pytest_cov", "coverage", "flake8", "ruff", "xmlrunner"]',
  'found = {n: importlib.util.find_spec(n) is not None for n in names}',
  'found["ruff"] = found["ruff"] and os.path.exists(os.path.join(os.path.dirname(sys.executable), "ruff"))',
  'print(json.dumps({"prefix": sys.prefix, "tools": found}))'
].join('\n');

export interface PythonTools {
  pytest: boolean;
  pytest_cov: boolean;
  coverage: boolean;
  flake8: boolean;
  ruff: boolean;
  xmlrunner: boolean;
}

export function parseTools(stdout: string): { prefix?: string; tools: PythonTools } {
  const none: PythonTools = { pytest: false, pytest_cov: false, coverage: false, flake8: false, ruff: false, xmlrunner: false };
  try {
    const probed = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { prefix?: unknown; tools?: Partial<PythonTools> };
    return { prefix: typeof probed.prefix === 'string' ? probed.prefix : undefined, tools: { ...none, ...probed.tools } };
  } catch {
    return { tools: none };
  }
}
