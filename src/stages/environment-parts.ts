// How an installed environment is kept in the cache as several entries that restore at the same time,
// one `tar` per core: its tree is cut into units (files, links and folders, the biggest folders
// opened up until no unit dominates), and the units are spread over a fixed number of parts by what
// they cost to extract. Files the ecosystem sets aside (Python's seed packages) go into an entry of
// their own, restored only when a run needs them. Pure: the tree is read through TreeReader.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { EntryMembers, TreeNode } from '../ports.js';

/** As many parts as GitHub's standard Linux runners have cores; fewer cores just take turns. */
export const ENVIRONMENT_PARTS = 4;

/**
 * What creating one file, folder or link costs in extraction, in bytes written: a small file costs
 * its creation, a big one its bytes (about 30 µs per entry and 1 GB/s here).
 */
export const ENTRY_COST_BYTES = 32 * 1024;

/** A unit is opened up into its children while it costs more than this share of a part. */
const LARGEST_SHARE_OF_PART = 1 / 4;

/** How the layout reads the environment: one walk per root. */
export interface TreeReader {
  walk(path: string): TreeNode | undefined;
}

export interface Unit {
  path: string;
  cost: number;
  folder: boolean;
}

export interface EnvironmentLayout {
  /** Names this layout: every part's marker (its last tree, see markerPath) holds it. */
  id: string;
  /** What each part holds: trees none inside another (the last one its marker), and their folders. */
  parts: EntryMembers[];
  /** Saved as an entry of its own, when the ecosystem set anything aside (no trees: nothing aside). */
  aside: EntryMembers;
}

export function partKey(key: string, index: number, parts = ENVIRONMENT_PARTS): string {
  return `${key}-part-${index + 1}-of-${parts}`;
}

export function partKeys(key: string, parts = ENVIRONMENT_PARTS): string[] {
  return Array.from({ length: parts }, (_, index) => partKey(key, index, parts));
}

/** The entry holding what was set aside (Python's seed packages). */
export function asideKey(key: string): string {
  return `${key}-seed`;
}

/** Where part `index`'s marker lives: in the first path, so each part brings its own. */
export function markerPath(root: string, index: number, parts = ENVIRONMENT_PARTS): string {
  return posix.join(root, `.slipway-part-${index + 1}-of-${parts}`);
}

/** The units of `roots`, `excluded` paths left out (folders holding one opened up), opened up until the costliest is a small share of a part. */
export function environmentUnits(roots: readonly string[], excluded: readonly string[], tree: TreeReader, parts = ENVIRONMENT_PARTS): Unit[] {
  const cost = (node: TreeNode): number => node.bytes + node.entries * ENTRY_COST_BYTES;
  const holdsExcluded = (node: TreeNode): boolean => excluded.some((path) => path.startsWith(`${node.path}/`));
  let nodes = roots.flatMap((root) => tree.walk(root) ?? []);
  // Folders that hold something excluded are always opened up; then the costliest, while too big.
  for (;;) {
    nodes = nodes.filter((node) => !excluded.includes(node.path));
    const total = nodes.reduce((sum, node) => sum + cost(node), 0);
    const limit = (total / parts) * LARGEST_SHARE_OF_PART;
    const openable = nodes.filter((node) => (node.children?.length ?? 0) > 0);
    const next = openable.find(holdsExcluded) ?? openable.filter((node) => cost(node) > limit).sort((a, b) => cost(b) - cost(a) || byPath(a, b))[0];
    if (!next) break;
    // An opened folder is not a member itself: tar makes it again for what is inside.
    nodes = [...nodes.filter((node) => node !== next), ...(next.children ?? [])];
  }
  return nodes.map((node) => ({ path: node.path, cost: cost(node), folder: node.children !== undefined })).sort(byPath);
}

/**
 * Spreads units over `parts` groups, costliest first onto the cheapest group so far (ties: the lower
 * index): the same tree gives the same groups, so a part saved again fits the parts already saved.
 */
export function balanceParts(units: readonly Unit[], parts = ENVIRONMENT_PARTS): string[][] {
  const groups = Array.from({ length: parts }, () => ({ cost: 0, paths: [] as string[] }));
  for (const unit of [...units].sort(byCost)) {
    const cheapest = groups.reduce((best, group) => (group.cost < best.cost ? group : best));
    cheapest.cost += unit.cost;
    cheapest.paths.push(unit.path);
  }
  return groups.map((group) => group.paths.sort());
}

/** The whole plan for saving an environment whose files live under `roots`. */
export function planEnvironmentLayout(roots: readonly string[], aside: readonly string[], tree: TreeReader, parts = ENVIRONMENT_PARTS): EnvironmentLayout {
  const root = roots[0];
  if (root === undefined) throw new Error('an environment has at least one path');
  const markerPaths = Array.from({ length: parts }, (_, index) => markerPath(root, index, parts));
  // Markers of an earlier save are not units: each part gets the one written for it now.
  const groups = balanceParts(environmentUnits(roots, [...aside, ...markerPaths], tree, parts), parts);
  const id = createHash('sha256').update(JSON.stringify({ groups, aside })).digest('hex').slice(0, 16);
  const members = (trees: string[]): EntryMembers => ({ folders: foldersOf(trees, roots), trees });
  return { id, parts: groups.map((group, index) => members([...group, markerPaths[index] ?? ''])), aside: members([...aside]) };
}

/**
 * The folders from a root down to each tree's own folder, parents first. Each part carries the
 * folders it writes into, so that parts extracted at once never race to create one (a tar that
 * finds a folder missing makes it, and fails when another tar made it in that very moment).
 */
export function foldersOf(trees: readonly string[], roots: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const tree of trees) {
    const root = roots.find((candidate) => tree.startsWith(`${candidate}/`));
    if (root === undefined) continue;
    for (let folder = posix.dirname(tree); folder.length >= root.length; folder = posix.dirname(folder)) {
      folders.add(folder);
      if (folder === root) break;
    }
  }
  return [...folders].sort();
}

/**
 * Whether restored parts belong together: every part's marker is there and names the same layout.
 * Parts saved by two different installs (one part lost and saved again from a changed tree) do not.
 */
export function partsAgree(root: string, layoutAt: (path: string) => string | undefined, parts = ENVIRONMENT_PARTS): boolean {
  const ids = Array.from({ length: parts }, (_, index) => layoutAt(markerPath(root, index, parts))?.trim());
  return ids.every((id) => id !== undefined && id !== '' && id === ids[0]);
}

const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
const byCost = (a: Unit, b: Unit): number => b.cost - a.cost || byPath(a, b);
