// Cache keys: pure functions of everything that decides what an installed environment contains.
// Anything that could make a restored environment wrong for this run is part of the key; the branch
// is not (GitHub already scopes caches per branch, falling back to the default branch).
import { createHash } from 'node:crypto';

export interface DependencyFile {
  /** Path relative to the project root, `/`-separated. */
  path: string;
  content: Buffer | string;
}

export interface EnvironmentKeyParts {
  cacheVersion: string;
  /** process.platform, e.g. linux. */
  os: string;
  /** process.arch, e.g. x64. */
  arch: string;
  /** The OS release the environment was built on (`ubuntu24`, `debian12`): see `runnerImage`. */
  image: string;
  /** e.g. `python-cpython-3.11.7` or `node-20.11.1-npm-10.2.4`. */
  runtime: string;
  /** Absolute path of the interpreter the environment was made with. */
  interpreterPath: string;
  files: DependencyFile[];
  /** The install commands exactly as run (absolute paths included). */
  commands: readonly (readonly string[])[];
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** One checksum over the files (by name and content, in a fixed order) and the install commands. */
export function dependencyDigest(files: DependencyFile[], commands: readonly (readonly string[])[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(`file\0${file.path}\0${sha256(file.content)}\n`);
  }
  for (const command of commands) hash.update(`command\0${JSON.stringify(command)}\n`);
  return hash.digest('hex');
}

/** `slipway-<version>-<os>-<arch>-<image>-<runtime>-<interpreter path hash>-<dependency digest>`. */
export function environmentKey(parts: EnvironmentKeyParts): string {
  const interpreter = sha256(parts.interpreterPath).slice(0, 8);
  const digest = dependencyDigest(parts.files, parts.commands);
  return [keyPrefix(parts), safe(parts.runtime), interpreter, digest].join('-');
}

/**
 * Keys for the package manager's download cache, restored on an environment miss to speed up the
 * install: exact key first, then the newest cache for the same platform and runtime.
 */
export function downloadCacheKeys(parts: EnvironmentKeyParts, tool: string): { key: string; restoreKeys: string[] } {
  const prefix = `${keyPrefix(parts)}-${safe(tool)}-downloads-${safe(parts.runtime)}-`;
  return { key: prefix + dependencyDigest(parts.files, []), restoreKeys: [prefix] };
}

function keyPrefix(parts: EnvironmentKeyParts): string {
  return ['slipway', parts.cacheVersion, parts.os, parts.arch, parts.image].map(safe).join('-');
}

/**
 * The OS release, for the key: two images can put the same interpreter at the same path while
 * their system libraries differ, and compiled extensions link against those. The runner's `ImageOS`
 * (`ubuntu24`) when set; else `ID` + `VERSION_ID` of /etc/os-release (`ubuntu24.04`, `debian12`);
 * else the platform and its kernel's major release (`darwin23`).
 */
export function runnerImage(found: { imageOS?: string; osRelease?: string; platform: string; kernelRelease: string }): string {
  if (found.imageOS?.trim()) return found.imageOS.trim();
  const field = (name: string): string | undefined => new RegExp(`^${name}=["']?([^"'\\n]*)`, 'm').exec(found.osRelease ?? '')?.[1]?.trim();
  const id = field('ID');
  if (id) return `${id}${field('VERSION_ID') ?? ''}`;
  return `${found.platform}${found.kernelRelease.split('.')[0]}`;
}

/** Keys may not contain commas and are best kept to a plain alphabet. */
function safe(part: string): string {
  return part.replace(/[^A-Za-z0-9._+-]/g, '_');
}
