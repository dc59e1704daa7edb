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

/** `slipway-<version>-<os>-<arch>-<runtime>-<interpreter path hash>-<dependency digest>`. */
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
  return ['slipway', parts.cacheVersion, parts.os, parts.arch].map(safe).join('-');
}

/** Keys may not contain commas and are best kept to a plain alphabet. */
function safe(part: string): string {
  return part.replace(/[^A-Za-z0-9._+-]/g, '_');
}
