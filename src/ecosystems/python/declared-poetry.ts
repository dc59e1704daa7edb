// poetry's dependency tables as PEP 508 requirements pip understands, for projects whose poetry is
// not installed: `^1.2` → `>=1.2,<2.0`, `~1.2` → `>=1.2,<1.3`, `*` → any version.
import { isTable, tableAt, TEST_NAMES, type TomlTable } from './declared-toml.js';

export interface PoetryDeps {
  /** Requirement strings for pip. */
  requirements: string[];
  /** The groups they came from (`dev`, `test`, or `dev-dependencies`). */
  groups: string[];
  /** Dependencies pip cannot be given (a local path), named. */
  skipped: string[];
}

/** The test groups' dependencies of `[tool.poetry]` (group tables and the older dev-dependencies). */
export function poetryTestDeps(doc: TomlTable | undefined): PoetryDeps {
  const result: PoetryDeps = { requirements: [], groups: [], skipped: [] };
  const poetry = tableAt(doc, ['tool', 'poetry']);
  if (!poetry) return result;
  const tables: Array<[string, TomlTable | undefined]> = Object.entries(tableAt(poetry, ['group']) ?? {})
    .filter(([name]) => TEST_NAMES.test(name))
    .map(([name, group]) => [name, isTable(group) ? tableAt(group, ['dependencies']) : undefined]);
  tables.push(['dev-dependencies', tableAt(poetry, ['dev-dependencies'])]);
  for (const [name, table] of tables) {
    if (!table) continue;
    result.groups.push(name);
    for (const [dependency, spec] of Object.entries(table)) {
      if (dependency.toLowerCase() === 'python') continue; // the interpreter's range, not a package
      const requirement = poetryRequirement(dependency, spec);
      if (requirement === undefined) result.skipped.push(dependency);
      else if (!result.requirements.includes(requirement)) result.requirements.push(requirement);
    }
  }
  return result;
}

/** One poetry dependency as a PEP 508 string; undefined for a local path pip should not guess at. */
export function poetryRequirement(name: string, spec: unknown): string | undefined {
  // Several constraints for different Pythons: the first is as good a guess as any for the tests.
  if (Array.isArray(spec)) return spec.length > 0 ? poetryRequirement(name, spec[0]) : name;
  if (typeof spec === 'string') return `${name}${poetryVersion(spec)}`;
  if (!isTable(spec)) return name;
  const extras = Array.isArray(spec.extras) && spec.extras.length > 0 ? `[${spec.extras.join(',')}]` : '';
  const markers = typeof spec.markers === 'string' ? ` ; ${spec.markers}` : '';
  if (typeof spec.git === 'string') {
    const ref = [spec.rev, spec.tag, spec.branch].find((value) => typeof value === 'string');
    return `${name}${extras} @ git+${spec.git}${ref ? `@${String(ref)}` : ''}${markers}`;
  }
  if (typeof spec.url === 'string') return `${name}${extras} @ ${spec.url}${markers}`;
  if (typeof spec.path === 'string') return undefined;
  const version = typeof spec.version === 'string' ? poetryVersion(spec.version) : '';
  return `${name}${extras}${version}${markers}`;
}

/** A poetry version constraint as a PEP 440 specifier (with no leading space; '' for any version). */
export function poetryVersion(constraint: string): string {
  const text = constraint.trim();
  // `||` (either range) has no PEP 440 spelling: any version, and pip's resolver picks.
  if (text === '' || text === '*' || text.includes('||')) return '';
  const parts = text
    .split(/\s*,\s*|\s+(?=[<>=!~^])/)
    .map((part) => part.replace(/\s+/g, ''))
    .filter(Boolean);
  return parts.map(poetryClause).join(',');
}

function poetryClause(clause: string): string {
  const caret = /^\^(\d+(?:\.\d+)*)$/.exec(clause);
  if (caret) return `>=${caret[1]},<${caretUpper(caret[1])}`;
  const tilde = /^~(?!=)(\d+(?:\.\d+)*)$/.exec(clause);
  if (tilde) return `>=${tilde[1]},<${tildeUpper(tilde[1])}`;
  if (/^(==|!=|<=|>=|<|>|~=|===)/.test(clause)) return clause;
  if (clause.startsWith('=')) return `=${clause}`;
  return `==${clause}`; // a bare version, also `1.2.*`
}

/** `^`: the first non-zero part may not change (`^1.2` → 2.0, `^0.2.3` → 0.3.0, `^0.0.3` → 0.0.4). */
function caretUpper(version: string): string {
  const parts = version.split('.').map(Number);
  const first = parts.findIndex((part) => part !== 0);
  // All zeros: `^0` → <1, `^0.0` → <0.1, `^0.0.0` → <0.0.1.
  const bump = first < 0 ? parts.length - 1 : first;
  return parts.map((part, i) => (i < bump ? part : i === bump ? part + 1 : 0)).join('.');
}

/** `~`: `~1.2.3` and `~1.2` → <1.3(.0), `~1` → <2. */
function tildeUpper(version: string): string {
  const parts = version.split('.').map(Number);
  const bump = parts.length === 1 ? 0 : 1;
  return parts.map((part, i) => (i < bump ? part : i === bump ? part + 1 : 0)).join('.');
}
