// package.json as the Node ecosystem reads it: the fields, the scripts.
import type { ProjectFiles } from '../ecosystem.js';

export interface PackageJson {
  name?: string;
  packageManager?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  workspaces?: unknown;
  [field: string]: unknown;
}

/** package.json as an object; undefined when missing or not a JSON object. */
export function readPackageJson(files: ProjectFiles, path = 'package.json'): PackageJson | undefined {
  const text = files.read(path);
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as PackageJson) : undefined;
  } catch {
    return undefined;
  }
}

/** The string-valued entries of an object field (dependencies, scripts); {} for anything else. */
export function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** The `scripts` of package.json (string values only). */
export function packageScripts(files: ProjectFiles): Record<string, string> {
  return stringRecord(readPackageJson(files)?.scripts);
}
