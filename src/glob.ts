// Globs for file inputs (cache-dependency-path, test-report) and for deploy-branches, one set of rules
// matched by picomatch: `*` and `?` within a segment, `**` across segments (`**/` also matches no folder
// at all), dot names included. Every other character is literal, as it is in a path or branch name.
import { readdirSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import picomatch from 'picomatch';

/** Folders never searched: they hold tools' and package managers' files, not the project's. */
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '__pycache__', '.venv', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache']);

/** Characters picomatch would read as brackets, braces, extglobs, negation or escapes. */
const LITERAL = /[\\()[\]{}+@!|^$]/g;

export function globToRegExp(pattern: string): RegExp {
  return picomatch.makeRe(pattern.replace(LITERAL, '\\$&'), { dot: true });
}

/** Whether `path` (with `/` separators) matches any of `patterns`. */
export function matchesGlob(path: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => globToRegExp(pattern).test(path));
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
