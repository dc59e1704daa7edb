// File globs for inputs such as cache-dependency-path and test-report: `*`, `?`, `**` and `!`
// exclusions, matched against paths relative to a root. Small and silent, so the CLI and the
// action behave (and print) the same.
import { readdirSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

/** Folders never searched: they hold tools' and package managers' files, not the project's. */
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '__pycache__', '.venv', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache']);

export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*' && pattern[i + 1] === '*') {
      // `**/` matches any number of folders, including none; a trailing `**` matches everything below.
      const slash = pattern[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Files under `root` matching `pattern` and none of the `!` exclusions, as absolute sorted paths. */
export function globFiles(root: string, pattern: string, exclusions: string[] = []): string[] {
  const normalise = (p: string): string => (isAbsolute(p) ? relative(root, p) : p).split(sep).join('/').replace(/^\.\//, '');
  const include = globToRegExp(normalise(pattern));
  const exclude = exclusions.map((p) => globToRegExp(normalise(p.replace(/^!/, ''))));
  const matches: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(path);
      } else if (include.test(path) && !exclude.some((re) => re.test(path))) {
        matches.push(join(root, path));
      }
    }
  };
  walk('');
  return matches.sort();
}
