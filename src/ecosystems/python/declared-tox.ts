// The dependencies tox and nox install for a project's tests: tox's [testenv] `deps` (tox.ini,
// setup.cfg, tox.toml or pyproject.toml) and the `session.install(...)` literals of nox's test
// session. Read when nothing else in the project names the test runner.
import type { ProjectFiles } from '../ecosystem.js';
import { isTable, readToml, strings, tableAt, TEST_NAMES, type TomlTable } from './declared-toml.js';

export interface RunnerDeps {
  /** Where they were found: `tox.ini [testenv]`, `noxfile.py session tests`… */
  source: string;
  /** Requirement strings. */
  requirements: string[];
  /** Requirements files (`-r`), relative to the project root. */
  files: string[];
  /** Constraints files (`-c`). */
  constraints: string[];
  /** Extras of the project itself (tox's `extras`). */
  extras: string[];
}

/** tox's dependencies for its default test environment, from the first file that configures tox. */
export function toxDeps(files: ProjectFiles): RunnerDeps | undefined {
  const ini = files.read('tox.ini');
  if (ini !== undefined) return fromIni(ini, 'tox.ini');
  const toxToml = readToml(files.read('tox.toml'));
  if (toxToml) return fromToml(toxToml, 'tox.toml');
  const pyproject = readToml(files.read('pyproject.toml'));
  const tox = tableAt(pyproject, ['tool', 'tox']);
  if (typeof tox?.legacy_tox_ini === 'string') return fromIni(tox.legacy_tox_ini, 'pyproject.toml (legacy_tox_ini)');
  if (tox) return fromToml(tox, 'pyproject.toml [tool.tox]');
  const cfg = files.read('setup.cfg');
  if (cfg !== undefined && /^\[tox:tox\]/m.test(cfg)) return fromIni(cfg, 'setup.cfg');
  return undefined;
}

function fromIni(text: string, file: string): RunnerDeps | undefined {
  const sections = readIni(text);
  const env = sections.get('testenv');
  if (!env) return undefined;
  // `{[section]key}` pulls another section's value in (deps shared between environments).
  const expand = (value: string): string =>
    value.replace(/\{\[([^\]]+)\]([\w-]+)\}/g, (_, section: string, key: string) => sections.get(section)?.get(key) ?? '');
  const lines = (key: string): string[] => expand(env.get(key) ?? '').split(/\r?\n/);
  const extras = lines('extras').flatMap((line) => line.split(/[,\s]+/));
  return runnerDeps(`${file} [testenv]`, lines('deps'), extras);
}

function fromToml(tox: TomlTable, file: string): RunnerDeps | undefined {
  const envs = tableAt(tox, ['env']) ?? {};
  const tables = [
    tableAt(tox, ['env_run_base']),
    ...Object.entries(envs)
      .filter(([name]) => TEST_NAMES.test(name))
      .map(([, env]) => env)
  ];
  const chosen = tables.filter(isTable);
  if (chosen.length === 0) return undefined;
  return runnerDeps(
    `${file} env_run_base`,
    chosen.flatMap((env) => strings(env.deps)),
    chosen.flatMap((env) => strings(env.extras))
  );
}

/** Sections of an INI file: key → value, continuation lines joined with newlines. */
function readIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let section: Map<string, string> | undefined;
  let key: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(line)) continue;
    const header = /^\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      section = new Map();
      sections.set(header[1].trim(), section);
      key = undefined;
      continue;
    }
    if (!section) continue;
    const entry = /^([A-Za-z_][\w.-]*)\s*[=:]\s*(.*)$/.exec(line);
    if (entry) {
      key = entry[1];
      section.set(key, entry[2].trim());
    } else if (key && /^\s+\S/.test(line)) {
      section.set(key, `${section.get(key) ?? ''}\n${line.trim()}`);
    }
  }
  return sections;
}

/**
 * Deps lines as pip arguments: `-r`/`-c` files (with `{toxinidir}` as the root), requirements; lines
 * for one factor (`py38: mock`), other substitutions and the project itself (`.`, `-e .`) are not
 * the tests' common dependencies, and are left to the install of the project.
 */
export function runnerDeps(source: string, lines: string[], extras: string[] = []): RunnerDeps {
  const deps: RunnerDeps = { source, requirements: [], files: [], constraints: [], extras: extras.filter(Boolean) };
  for (const raw of lines) {
    const line = raw
      .replace(/\s+#.*$/, '')
      .replace(/\{(toxinidir|tox_root)\}\/?/g, '')
      .trim();
    if (line === '' || line.startsWith('#') || /^!?[\w.,-]+:\s/.test(line) || line.includes('{')) continue;
    const include = /^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s*)(\S+)$/.exec(line);
    if (include) {
      (include[1].startsWith('-c') || include[1] === '--constraint' ? deps.constraints : deps.files).push(include[2].replace(/^\.\//, ''));
    } else if (!/^(-e\s|--editable|\.)/.test(line) && !line.startsWith('-')) {
      deps.requirements.push(line);
    }
  }
  return deps;
}

/** What nox's test session installs: the string literals of its `session.install(...)` calls. */
export function noxDeps(files: ProjectFiles): RunnerDeps | undefined {
  const text = files.read('noxfile.py');
  if (text === undefined) return undefined;
  const session = /@(?:nox\.)?session(?:\(([^)]*)\))?[^\n]*\n(?:\s*@[^\n]*\n)*def\s+(\w+)\s*\(/g;
  for (const match of text.matchAll(session)) {
    const name = /\bname\s*=\s*["']([^"']+)["']/.exec(match[1] ?? '')?.[1] ?? match[2];
    if (!/^(test|tests)$/i.test(name)) continue;
    const rest = text.slice((match.index ?? 0) + match[0].length);
    const body = rest.slice(0, rest.search(/\n(?=\S)/) < 0 ? undefined : rest.search(/\n(?=\S)/));
    const args: string[] = [];
    for (const call of body.matchAll(/session\.install\(([^)]*)\)/g)) {
      for (const literal of call[1].matchAll(/(["'])(.*?)\1/g)) args.push(literal[2]);
    }
    // `"-r", "file"` come as two literals: join them as a deps line would be written.
    const lines = args.map((arg, i) => (/^-[rc]$/.test(args[i - 1] ?? '') ? '' : /^-[rc]$/.test(arg) ? `${arg} ${args[i + 1] ?? ''}` : arg));
    return runnerDeps(`noxfile.py session ${name}`, lines);
  }
  return undefined;
}
