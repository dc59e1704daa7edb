// The archives a warm run restored, found in the fake cache service's storage, and their raw extraction
// (`zstd -dc <archive> | tar -xf - -P -C <empty dir>/<workspace path>`, no Slipway, no node, no HTTP):
// the physical floor of a restore on this disk. Members are stored relative to the workspace (a tree in
// RUNNER_TEMP starts with `../`), so the empty folder gets a copy of the workspace's path inside it and
// tar extracts there, as the restore does with `-P -C <workspace>`: everything lands inside the folder.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { emptyDir, mustRun, run } from './proc.mjs';

/** The `Cache key: <key>` line the install stage logs (undefined when there is none). */
export function loggedCacheKey(stdout) {
  const line = stdout.split(/\r?\n/).find((l) => /^Cache key: \S/.test(l.trim()));
  return line?.trim().slice('Cache key: '.length).trim();
}

/**
 * The entries holding the environment stored under `key`: the entry `<key>` itself (one archive), or
 * its parts `<key>-part-<i>-of-<n>`; `<key>-seed` only if the run downloaded it. `downloaded` is the set
 * of entry ids whose blob the run fetched (from the service's request log): when it names any of these
 * entries, only those count, so the result is exactly what the run restored.
 */
export function restoredEntries(entries, key, downloaded) {
  const matching = entries.filter((e) => e.key === key || e.key.startsWith(`${key}-part-`) || e.key === `${key}-seed`);
  const fetched = matching.filter((e) => downloaded.has(e.id));
  if (fetched.length > 0) return fetched;
  // No download seen: the newest entry per key, without the seed (restored only when needed).
  const newest = new Map();
  for (const e of matching) if (e.key !== `${key}-seed` && (newest.get(e.key)?.seq ?? -1) < e.seq) newest.set(e.key, e);
  return [...newest.values()].sort((a, b) => a.key.localeCompare(b.key, 'en', { numeric: true }));
}

/** Ids of the entries whose blob was read by GET among the service's recorded requests. */
export function downloadedIds(requests) {
  const ids = new Set();
  for (const r of requests) {
    if (r.kind !== 'blob' || r.method !== 'GET' || r.status >= 300) continue;
    const blob = r.path.split('/').filter(Boolean).pop() ?? '';
    const id = Number(/^(\d+)-/.exec(decodeURIComponent(blob))?.[1]);
    if (Number.isInteger(id)) ids.add(id);
  }
  return ids;
}

/** The archive file of each entry in the service's storage folder (blobs are named `<id>-<hash>`). */
export function archiveFiles(storageDir, entries) {
  const blobs = join(storageDir, 'blobs');
  const names = readdirSync(blobs);
  return entries.map((e) => {
    const name = names.find((n) => n.startsWith(`${e.id}-`));
    if (!name) throw new Error(`no stored archive for cache entry ${e.key} (id ${e.id}) in ${blobs}`);
    const file = join(blobs, name);
    return { key: e.key, id: e.id, file, bytes: statSync(file).size };
  });
}

/**
 * Extracts `archives` into the empty folder `dest` (relative to `workspace`'s copy inside it): all pipelines started together (`concurrent`), or
 * one after the other (a single stream). Returns the wall time, first spawn → last exit, in ms. The disk
 * is settled (`sync`, not timed) before, and the tree removed and settled again after.
 */
export async function rawExtract(archives, dest, { concurrent, workspace }) {
  emptyDir(dest);
  const at = join(dest, workspace);
  mkdirSync(at, { recursive: true });
  await run('sync', []);
  const extract = (file) => mustRun('bash', ['-c', 'set -o pipefail; zstd -dcq -- "$1" | tar -xf - -P -C "$2"', 'bash', file, at]);
  const started = process.hrtime.bigint();
  if (concurrent) await Promise.all(archives.map((a) => extract(a.file)));
  else for (const a of archives) await extract(a.file);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const files = countFiles(dest);
  emptyDir(dest);
  await run('sync', []);
  return { ms, files };
}

function countFiles(dir) {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) n += entry.isDirectory() ? countFiles(join(dir, entry.name)) : 1;
  return n;
}

/**
 * Extracts `archives` where their trees belong (members relative to `workspace`, as a restore puts
 * them), every `zstd -dc | tar -xf - -P` pipeline started together. Returns the wall time, first
 * spawn → last exit, in ms; the caller settles the disk before and checks the tree after.
 */
export async function rawExtractInPlace(archives, workspace) {
  const extract = (file) => mustRun('bash', ['-c', 'set -o pipefail; zstd -dcq -- "$1" | tar -xf - -P -C "$2"', 'bash', file, workspace]);
  const started = process.hrtime.bigint();
  await Promise.all(archives.map((a) => extract(a.file)));
  return Number(process.hrtime.bigint() - started) / 1e6;
}
