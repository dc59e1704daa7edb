// The checks of single input values behind buildConfig (config.ts): each throws a ConfigError that
// names the input and says what would be accepted.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { globFiles } from './glob.js';
import { ConfigError, type InputName } from './inputs.js';
import { imageNameProblem } from './stages/image-name.js';

export const AUDIT_LEVELS = ['none', 'low', 'moderate', 'high', 'critical'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

export function oneOf<T extends string>(input: InputName, value: string, allowed: readonly T[]): T {
  const lower = value.toLowerCase() as T;
  if (!allowed.includes(lower)) throw new ConfigError(input, `expected one of ${allowed.join(', ')}, got "${value}".`);
  return lower;
}

export function httpUrl(input: InputName, value: string): string {
  if (!isHttpUrl(value)) throw new ConfigError(input, `"${value}" is not an http(s) URL.`);
  return value.replace(/\/+$/, '');
}

/** The smoke test's probe: a path on the container's own port, e.g. /health. */
export function smokePath(path: string | undefined): string | undefined {
  if (path !== undefined && !path.startsWith('/')) throw new ConfigError('smoke-path', `"${path}" is not a path; give one starting with "/", e.g. /health.`);
  return path;
}

/** GitHub's rule for environment names: at most 255 characters, no line breaks (checked earlier). */
export function environmentName(name: string): string {
  if (name.length > 255) throw new ConfigError('environment', `is ${name.length} characters long; GitHub allows 255.`);
  return name;
}

/** The image name, and (`files`) the Dockerfile and build context it is built from (relative to the project). */
export function checkImage(image: string, root: string, build: { dockerfile: string; context: string }, files = true): void {
  const problem = imageNameProblem(image);
  if (problem) throw new ConfigError('image', problem);
  if (!files) return;
  const context = resolve(root, build.context);
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw new ConfigError('context', `"${build.context}" is not a directory (looked for ${context}); give the build context relative to working-directory.`);
  }
  const dockerfile = resolve(root, build.dockerfile);
  if (!existsSync(dockerfile) || !statSync(dockerfile).isFile()) {
    throw new ConfigError('dockerfile', `"${build.dockerfile}" was not found (looked for ${dockerfile}); give its path relative to working-directory.`);
  }
}

/** 169.254.0.0/16 and fe80::/10, written literally (a name that resolves there is refused when connecting). */
export function isLinkLocal(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return /^169\.254\.\d{1,3}\.\d{1,3}$/.test(host) || /^fe[89ab][0-9a-f]?:/.test(host);
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Expands cache-dependency-path globs (relative to the project root); each must match a file, and
 * every file must really be one inside `workspace` (a link out of it would key the cache on files
 * the repository does not hold).
 */
export function dependencyFiles(patterns: string[], root: string, workspace: string): string[] | undefined {
  const exclusions = patterns.filter((p) => p.startsWith('!'));
  const inclusions = patterns.filter((p) => !p.startsWith('!'));
  if (inclusions.length === 0) return undefined;
  const files = new Set<string>();
  for (const pattern of inclusions) {
    const matched = globFiles(root, pattern, exclusions);
    if (matched.length === 0) {
      throw new ConfigError('cache-dependency-path', `"${pattern}" matches no file under ${root}; fix the pattern or remove it.`);
    }
    matched.forEach((file) => files.add(file));
  }
  const inside = realpathSync(workspace);
  for (const file of files) {
    const real = realpathSync(file);
    if (real !== inside && !real.startsWith(inside + sep)) {
      throw new ConfigError('cache-dependency-path', `${file} leads outside the workspace (to ${real}); name files inside the repository.`);
    }
    if (!statSync(real).isFile()) {
      throw new ConfigError('cache-dependency-path', `${file} is not a file (it is a folder or a link to one); name the dependency files themselves.`);
    }
  }
  return [...files].sort();
}
