// The cache entries one installed environment is kept as: its parts (`<key>-part-<i>-of-<n>`) and,
// for Python, its seed packages (`<key>-seed`).
import { execFileSync } from 'node:child_process';
import { asideKey as seedKey, partKeys } from '../../../src/stages/environment-parts.js';
import type { CacheEntryInfo, CacheService } from './cache-service.js';
import { defaultPython } from './python.js';

// The product's own key names (README, "The environment in parts"), not a second copy of them.
export { partKeys, seedKey };

/** The finalized entries of the environment saved under `key`, parts first, in part order. */
export function environmentEntries(cache: Pick<CacheService, 'entries'>, key: string): CacheEntryInfo[] {
  const wanted = [...partKeys(key), seedKey(key)];
  const entries = cache.entries();
  return wanted.flatMap((name) => entries.filter((entry) => entry.key === name));
}

/** True when every part of the environment under `key` is in the cache. */
export function environmentSaved(cache: Pick<CacheService, 'entries'>, key: string): boolean {
  const keys = new Set(cache.entries().map((entry) => entry.key));
  return partKeys(key).every((part) => keys.has(part));
}

/** Every entry the environment under `key` is saved as: its parts, then the seed entry when `seed`. */
export const environmentKeys = (key: string, { seed }: { seed: boolean }): string[] => (seed ? [...partKeys(key), seedKey(key)] : partKeys(key));

export interface ArchiveMember {
  name: string;
  /** Where a symbolic or hard link points; '' for anything else. */
  linkname: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
}

/**
 * The members of a tar archive as @actions/cache (zstd or gzip) or the CLI's local store (zstd, gzip
 * or plain) made it, read with Python's tarfile.
 */
export function archiveMembers(archive: Buffer): ArchiveMember[] {
  const script = [
    'import io, json, subprocess, sys, tarfile',
    'raw = sys.stdin.buffer.read()',
    'zstd = raw[:4] == b"\\x28\\xb5\\x2f\\xfd"',
    'data = subprocess.run(["zstd", "-d", "-c", "--long=30"], input=raw, stdout=subprocess.PIPE, check=True).stdout if zstd else raw',
    'kind = lambda m: "file" if m.isfile() else "dir" if m.isdir() else "symlink" if m.issym() else "hardlink" if m.islnk() else "other"',
    'members = tarfile.open(fileobj=io.BytesIO(data), mode="r:*").getmembers()',
    'print(json.dumps([{"name": m.name, "linkname": m.linkname, "type": kind(m)} for m in members]))'
  ].join('\n');
  return JSON.parse(execFileSync(defaultPython(), ['-c', script], { input: archive, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })) as ArchiveMember[];
}

/**
 * The one entry of the environment under `key` (a part, or the seed entry) whose archive holds a
 * member that `holds`; throws when none does, or more than one.
 */
export async function entryHolding(cache: Pick<CacheService, 'archive'>, key: string, holds: (member: ArchiveMember) => boolean): Promise<string> {
  const found: string[] = [];
  for (const entry of [...partKeys(key), seedKey(key)]) {
    const archive = await cache.archive(entry).catch(() => undefined); // no seed entry: nothing set aside
    if (archive && archiveMembers(archive).some(holds)) found.push(entry);
  }
  if (found.length !== 1) throw new Error(`expected one entry of ${key} to hold the member, found ${found.length}: ${found.join(', ')}`);
  return found[0] ?? '';
}
