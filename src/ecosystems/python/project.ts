// What a Python project's files say: is it one, which requirements files, is it installable.
import { posix } from 'node:path';
import type { ProjectFiles } from '../ecosystem.js';

const PYTHON_MARKERS = /^(requirements.*\.txt|pyproject\.toml|setup\.py|setup\.cfg|Pipfile(\.lock)?|poetry\.lock|uv\.lock|.*\.py)$/i;
const REQUIREMENTS_FILE = /^requirements.*\.txt$/i;
/** In a requirements/ folder, these usually pull the base file in with `-r`. */
const DEV_REQUIREMENTS = /(dev|test|ci)/i;

/** Python project files, a requirements/ folder or Python sources at the root. */
export function isPythonProject(files: ProjectFiles): boolean {
  return files.list('').some((name) => PYTHON_MARKERS.test(name)) || files.list('requirements').length > 0;
}

/**
 * The requirements files to install: every requirements*.txt at the root; else, from a
 * requirements/ folder, the dev/test/ci ones (which include the base) or, when none, all of them.
 */
export function requirementFiles(files: ProjectFiles): string[] {
  const root = files
    .list('')
    .filter((name) => REQUIREMENTS_FILE.test(name))
    .sort();
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
