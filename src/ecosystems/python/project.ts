// What a Python project's files say: is it one, which requirements files, is it installable.
import { posix } from 'node:path';
import type { ProjectFiles } from '../ecosystem.js';
import { readToml, tableAt } from './declared-toml.js';

const PYTHON_MARKERS = /^(requirements.*\.txt|pyproject\.toml|setup\.py|setup\.cfg|Pipfile(\.lock)?|poetry\.lock|uv\.lock|.*\.py)$/i;
/** requirements.txt, requirements-dev.txt, dev-requirements.txt, test_requirements.txt… */
const REQUIREMENTS_FILE = /^(?:[a-z0-9]+[-_.])?requirements(?:[-_.][a-z0-9_.-]+)?\.txt$/i;
/** Words in a file's name that mark it as meant for tests (the test and CI runs install it). */
const TEST_WORDS = /^(dev|devel|develop|development|test|tests|testing|ci)$/i;
/** Words naming another tool whose pins these are: conda's, the docs build's, a type checker's, a linter's. */
const OTHER_TOOL_WORDS = /^(conda|docs?|mypy|typing|types|lint|pre-commit|precommit)$/i;

export interface RequirementsChoice {
  /** The files to install, relative to the project root. */
  chosen: string[];
  /** The others, each with why it is left out. */
  leftOut: Array<{ file: string; why: string }>;
}

/** Python project files, a requirements/ folder or Python sources at the root. */
export function isPythonProject(files: ProjectFiles): boolean {
  return files.list('').some((name) => PYTHON_MARKERS.test(name)) || files.list('requirements').length > 0;
}

/**
 * The requirements files to install: requirements.txt and the files meant for tests (a name with
 * dev, test or ci in it) at the root; else, from a requirements/ folder, the dev/test/ci ones (which
 * usually pull the base in with `-r`) or, when none, all of them. Files naming another tool
 * (conda, docs, mypy, lint) are that tool's and never installed.
 */
export function chooseRequirementFiles(files: ProjectFiles): RequirementsChoice {
  const root = files
    .list('')
    .filter((name) => REQUIREMENTS_FILE.test(name))
    .sort();
  if (root.length > 0) return choose(root, (name) => name.toLowerCase() === 'requirements.txt', '');
  const folder = files
    .list('requirements')
    .filter((name) => name.endsWith('.txt'))
    .sort();
  return choose(folder, () => false, 'requirements/');
}

function choose(names: string[], isBase: (name: string) => boolean, prefix: string): RequirementsChoice {
  const words = (name: string): string[] => name.replace(/\.txt$/i, '').split(/[-_.]+/);
  const otherTool = (name: string): string | undefined => words(name).find((word) => OTHER_TOOL_WORDS.test(word));
  const forTests = (name: string): boolean => words(name).some((word) => TEST_WORDS.test(word));
  const usable = names.filter((name) => otherTool(name) === undefined);
  const wanted = usable.filter((name) => isBase(name) || forTests(name));
  // Without a base or test file, the usable files are all there is to install.
  const chosen = wanted.length > 0 ? wanted : usable;
  const leftOut = names
    .filter((name) => !chosen.includes(name))
    .map((name) => {
      const tool = otherTool(name);
      const why = tool === undefined ? 'not for tests' : /conda/i.test(tool) ? "conda's, not pip's" : `for ${tool.toLowerCase()}`;
      return { file: prefix + name, why };
    });
  return { chosen: chosen.map((name) => prefix + name), leftOut };
}

/** The chosen requirements files (see chooseRequirementFiles). */
export function requirementFiles(files: ProjectFiles): string[] {
  return chooseRequirementFiles(files).chosen;
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
  const doc = readToml(pyproject);
  if (!doc) return /^\s*\[(project|build-system|tool\.poetry)\]\s*$/m.test(pyproject);
  return doc.project !== undefined || doc['build-system'] !== undefined || tableAt(doc, ['tool', 'poetry']) !== undefined;
}

/** Names declared under [project.optional-dependencies]. */
export function declaredExtras(pyproject: string): string[] {
  return Object.keys(tableAt(readToml(pyproject), ['project', 'optional-dependencies']) ?? {});
}
