// Where a project declares what its tests need, beyond requirements files: extras, PEP 735
// dependency groups, poetry's groups (for pip, when poetry is not used), hatch's environments, and —
// only when none of these names the test runner — tox's or nox's test environment.
import type { ProjectFiles } from '../ecosystem.js';
import { poetryTestDeps } from './declared-poetry.js';
import { isTable, readToml, strings, tableAt, TEST_NAMES, type TomlTable } from './declared-toml.js';
import { noxDeps, toxDeps } from './declared-tox.js';
import { withIncludes } from './project.js';

export interface DeclaredTestDeps {
  /** The project's extras to install with it (`-e .[dev,test]`). */
  extras: string[];
  /** PEP 735 groups, for `pip install --group` (pip resolves include-group itself). */
  groups: string[];
  /** Requirement strings for pip (from poetry, hatch, tox or nox). */
  requirements: string[];
  /** Requirements and constraints files tox or nox name (`-r`, `-c`). */
  files: string[];
  constraints: string[];
  /** Where each part came from, for the install log. */
  sources: string[];
  /** Files read besides pyproject.toml (tox.ini, noxfile.py): they key the cache. */
  keyFiles: string[];
  /** Dependencies that could not be passed to pip, and why. */
  notes: string[];
}

const RUNNERS = new Set(['pytest', 'nose2', 'nose', 'ward']);

export interface DeclaredInput {
  files: ProjectFiles;
  /** The requirements files chosen for the install (they may name the runner). */
  requirementFiles: string[];
  /** Read poetry's groups: poetry itself does not do the install. */
  poetryGroups: boolean;
}

export function declaredTestDeps({ files, requirementFiles, poetryGroups }: DeclaredInput): DeclaredTestDeps {
  const doc = readToml(files.read('pyproject.toml'));
  const declared: DeclaredTestDeps = { extras: [], groups: [], requirements: [], files: [], constraints: [], sources: [], keyFiles: [], notes: [] };
  const named: string[] = []; // every requirement seen, to tell whether the runner is among them

  const optional = tableAt(doc, ['project', 'optional-dependencies']) ?? {};
  declared.extras = Object.keys(optional).filter((name) => TEST_NAMES.test(name));
  declared.extras.forEach((name) => named.push(...strings(optional[name])));
  if (declared.extras.length > 0) declared.sources.push(`extras ${declared.extras.join(', ')}`);

  const groups = tableAt(doc, ['dependency-groups']) ?? {};
  declared.groups = Object.keys(groups).filter((name) => TEST_NAMES.test(name));
  declared.groups.forEach((name) => named.push(...groupRequirements(groups, name)));
  if (declared.groups.length > 0) declared.sources.push(`[dependency-groups] ${declared.groups.join(', ')}`);

  if (poetryGroups) {
    const poetry = poetryTestDeps(doc);
    add(declared, poetry.requirements);
    named.push(...poetry.requirements);
    if (poetry.groups.length > 0) declared.sources.push(`poetry groups ${poetry.groups.join(', ')}`);
    if (poetry.skipped.length > 0) declared.notes.push(`poetry dependencies on local paths are not installed without poetry: ${poetry.skipped.join(', ')}`);
  }

  const hatch = hatchDeps(doc);
  add(declared, hatch.requirements);
  named.push(...hatch.requirements);
  declared.extras.push(...hatch.features.filter((name) => !declared.extras.includes(name)));
  if (hatch.envs.length > 0) declared.sources.push(`hatch environments ${hatch.envs.join(', ')}`);

  for (const file of withIncludes(files, requirementFiles)) named.push(...(files.read(file) ?? '').split(/\r?\n/));
  if (named.some((line) => RUNNERS.has(requirementName(line)))) return declared;

  const runner = toxDeps(files) ?? noxDeps(files);
  if (runner) {
    add(declared, runner.requirements);
    declared.files.push(...runner.files);
    declared.constraints.push(...runner.constraints);
    declared.extras.push(...runner.extras.filter((name) => !declared.extras.includes(name)));
    declared.sources.push(runner.source);
    declared.keyFiles.push(runner.source.split(' ')[0]);
  }
  return declared;
}

function add(declared: DeclaredTestDeps, requirements: string[]): void {
  for (const requirement of requirements) if (!declared.requirements.includes(requirement)) declared.requirements.push(requirement);
}

/** A group's requirements with its include-group entries followed (for the runner check only). */
function groupRequirements(groups: TomlTable, name: string, seen = new Set<string>()): string[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const entries = Array.isArray(groups[name]) ? (groups[name] as unknown[]) : [];
  return entries.flatMap((entry) =>
    typeof entry === 'string'
      ? [entry]
      : isTable(entry) && typeof entry['include-group'] === 'string'
        ? groupRequirements(groups, entry['include-group'], seen)
        : []
  );
}

/** hatch's default and test environments: `dependencies`, `extra-dependencies`, `features` (extras). */
function hatchDeps(doc: TomlTable | undefined): { requirements: string[]; features: string[]; envs: string[] } {
  const envs = tableAt(doc, ['tool', 'hatch', 'envs']) ?? {};
  const chosen = Object.entries(envs).filter(([name, env]) => (name === 'default' || name === 'hatch-test' || TEST_NAMES.test(name)) && isTable(env));
  const tables = chosen.map(([, env]) => env as TomlTable);
  const requirements = tables.flatMap((env) => [...strings(env.dependencies), ...strings(env['extra-dependencies'])]);
  const used = chosen.filter(([, env]) => strings((env as TomlTable).dependencies).length + strings((env as TomlTable)['extra-dependencies']).length > 0);
  return { requirements, features: tables.flatMap((env) => strings(env.features)), envs: used.map(([name]) => name) };
}

/** The normalized project name a requirement line starts with ('' for options and comments). */
export function requirementName(line: string): string {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line);
  return match ? match[1].toLowerCase().replace(/[-_.]+/g, '-') : '';
}
