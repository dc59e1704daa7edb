// Where a project declares a package: the line of requirements*.txt / pyproject.toml / package.json
// that names it or, for a package pulled in by another, the line of the direct dependency that pulls
// it in (known for npm from package-lock.json), else the manifest itself. Pure.
import { normalizeName, type AuditEcosystem } from './osv-versions.js';

export interface Manifest {
  /** Project-relative path. */
  path: string;
  text: string;
}

export interface Declared {
  path: string;
  /** Absent when no line names it. */
  line?: number;
  /** The direct dependency that pulls a transitive package in, when known. */
  via?: string;
}

/** A requirement line's name (`flask[async]>=3 ; python_version…`), a quoted PEP 508 string's, or a Poetry key's. */
const PYTHON_NAMES = [
  /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:[[=<>!~;@\s]|$)/,
  /^\s*["']([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:[[=<>!~;@\s"']|$)/,
  /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*=/
];
const NPM_KEY = /^\s*"((?:@[^"/]+\/)?[^"]+)"\s*:/;

/** The 1-based line of `manifest` that names `name`, if any. */
export function lineNaming(ecosystem: AuditEcosystem, name: string, manifest: Manifest): number | undefined {
  const wanted = normalizeName(ecosystem, name);
  const lines = manifest.text.split(/\r?\n/);
  if (ecosystem === 'npm') {
    // Only inside a dependencies block, not the package's own "name" or a script.
    let inDeps = false;
    for (const [index, line] of lines.entries()) {
      if (/^\s*"(?:dependencies|devDependencies|optionalDependencies|peerDependencies)"\s*:\s*\{/.test(line)) inDeps = true;
      else if (inDeps && NPM_KEY.exec(line)?.[1] === wanted) return index + 1;
      if (inDeps && /^\s*\}/.test(line)) inDeps = false;
    }
    return undefined;
  }
  const isPyproject = manifest.path.endsWith('.toml');
  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(/#.*$/, '');
    if (!isPyproject && /^\s*-/.test(line)) continue; // -r other.txt, -e ., --index-url …
    const patterns = isPyproject ? PYTHON_NAMES.slice(1) : PYTHON_NAMES.slice(0, 1);
    for (const pattern of patterns) {
      const match = pattern.exec(line);
      if (match?.[1] && normalizeName(ecosystem, match[1]) === wanted && !/^\s*(?:name|version|requires-python|python)\s*=/.test(line)) return index + 1;
    }
  }
  return undefined;
}

/** The first of `direct` whose requirements, followed through `requires` (name → names), reach `name`. */
export function pulledInBy(requires: (name: string) => readonly string[], direct: readonly string[], name: string): string | undefined {
  for (const root of direct) {
    const seen = new Set<string>([root]);
    const queue = [root];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      for (const dep of requires(next)) {
        if (dep === name) return root;
        if (seen.has(dep)) continue;
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  return undefined;
}

/** Direct dependencies of an npm project that pull `name` in, read from package-lock.json v2/v3. */
export function npmPulledInBy(lockText: string | undefined, direct: readonly string[], name: string): string | undefined {
  let lock: { packages?: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }> };
  try {
    lock = JSON.parse(lockText ?? '') as typeof lock;
  } catch {
    return undefined;
  }
  const packages = lock.packages ?? {};
  const needs = (pkgName: string): string[] => {
    const entry = packages[`node_modules/${pkgName}`] ?? Object.entries(packages).find(([key]) => key.endsWith(`/node_modules/${pkgName}`))?.[1];
    return Object.keys({ ...entry?.dependencies, ...entry?.optionalDependencies });
  };
  return pulledInBy(needs, direct, name);
}

/** Direct dependency names of a package.json. */
export function npmDirect(packageJson: string | undefined): string[] {
  try {
    const json = JSON.parse(packageJson ?? '') as Record<string, Record<string, string> | undefined>;
    return ['dependencies', 'devDependencies', 'optionalDependencies'].flatMap((key) => Object.keys(json[key] ?? {}));
  } catch {
    return [];
  }
}

/** Where to annotate a finding: the naming line, else the direct dependency's line, else the first manifest. */
export function declaredAt(ecosystem: AuditEcosystem, name: string, manifests: readonly Manifest[], pulledInBy?: string): Declared | undefined {
  for (const manifest of manifests) {
    const line = lineNaming(ecosystem, name, manifest);
    if (line) return { path: manifest.path, line };
  }
  if (pulledInBy) {
    for (const manifest of manifests) {
      const line = lineNaming(ecosystem, pulledInBy, manifest);
      if (line) return { path: manifest.path, line, via: pulledInBy };
    }
  }
  return manifests[0] ? { path: manifests[0].path } : undefined;
}
