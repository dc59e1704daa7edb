// An installed environment in the run's cache. Where the store can keep part of a tree per entry, the
// environment is saved as ENVIRONMENT_PARTS entries restored at the same time (one tar per core), and
// what the ecosystem set aside (Python's seed packages) as one more entry, restored only when asked
// for. All parts or nothing: a part missing, or parts of two different saves, is a miss with one
// warning, and the install that follows saves the missing part again. Elsewhere: one entry, as ever.
import type { Ports } from '../context.js';
import type { Files } from '../ports.js';
import type { CacheFlow } from './cache-flow.js';
import { asideKey, markerPath, partKey, partKeys, partsAgree, planEnvironmentLayout } from './environment-parts.js';

interface Marker {
  layout: string;
  aside: string[];
}

export async function saveEnvironment(cache: CacheFlow, files: Files, paths: string[], key: string, aside: string[]): Promise<boolean> {
  if (!cache.partial) return cache.save(paths, key);
  const layout = planEnvironmentLayout(paths, aside, files);
  const marker: Marker = { layout: layout.id, aside: layout.aside.trees };
  layout.parts.forEach((_, index) => files.write(markerPath(paths[0] ?? '', index), JSON.stringify(marker)));
  const entries = layout.parts.map((members, index) => ({ key: partKey(key, index), members }));
  if (layout.aside.trees.length > 0) entries.push({ key: asideKey(key), members: layout.aside });
  return cache.saveAll(paths, entries);
}

/** True when the environment under `key` is now in `paths`, with what was set aside when `withAside`. */
export async function restoreEnvironment(
  cache: CacheFlow,
  files: Files,
  reporter: Ports['reporter'],
  request: { paths: string[]; key: string; withAside: boolean }
): Promise<boolean> {
  const { paths, key, withAside } = request;
  if (!cache.partial) return (await cache.restore(paths, key)) === key;
  const parts = partKeys(key);
  // The parts make the folders inside the environment; the roots themselves are made here, first.
  paths.forEach((path) => files.makeFolder(path));
  const { restored, failed } = await cache.restoreAll(paths, withAside ? [...parts, asideKey(key)] : parts);
  // A failure was said; no part at all is a plain miss (the seed alone is no environment).
  if (failed || !parts.some((part) => restored.includes(part))) return false;
  const root = paths[0] ?? '';
  const missing = parts.filter((part) => !restored.includes(part));
  const marker = readMarker(files, markerPath(root, 0));
  const asideMissing = withAside && (marker?.aside.length ?? 0) > 0 && !restored.includes(asideKey(key));
  const agree = missing.length === 0 && partsAgree(root, (path) => readMarker(files, path)?.layout);
  if (agree && !asideMissing) return true;
  const why = missing.length > 0 ? `${missing.join(', ')} missing` : asideMissing ? `${asideKey(key)} missing` : 'its parts come from different saves';
  reporter.warning(
    `The cache entry for ${key} is incomplete (${why}); installing afresh. The install saves what is missing; if this repeats, bump the \`cache-version\` input.`
  );
  return false;
}

/** Whether what was set aside when this environment was saved is absent from it now. */
export function asideAbsent(files: Files, root: string): boolean {
  return (readMarker(files, markerPath(root, 0))?.aside ?? []).some((path) => !files.exists(path));
}

/** A part's marker; undefined when it is missing or damaged. */
function readMarker(files: Files, path: string): Marker | undefined {
  const text = files.read(path);
  try {
    const marker = text === undefined ? undefined : (JSON.parse(text) as Partial<Marker>);
    return typeof marker?.layout === 'string' && Array.isArray(marker.aside) ? { layout: marker.layout, aside: marker.aside.map(String) } : undefined;
  } catch {
    return undefined;
  }
}
