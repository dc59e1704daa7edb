// Test sharding: which test files shard i of n runs. Every shard computes the split alone, from the
// same checkout and the same recorded durations, so the split must depend on nothing else: the same
// inputs always give the same split. Test files are the unit (every runner takes files as arguments,
// and a file's tests share its fixtures). Pure.

export interface Shard {
  /** 1-based. */
  index: number;
  total: number;
}

/** The most shards a matrix may split into (GitHub allows 256 jobs; beyond 64 a shard's start-up dominates). */
export const MAX_SHARDS = 64;

/** `2/4` → {index: 2, total: 4}; a string saying what is wrong otherwise. */
export function parseShard(text: string): Shard | string {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return `\`shard\` must be \`i/n\` (e.g. \`2/4\` or \`\${{ matrix.shard }}/4\`), not "${text}"`;
  const index = Number(match[1]);
  const total = Number(match[2]);
  if (total < 1 || total > MAX_SHARDS) return `\`shard\` ${text}: the number of shards must be from 1 to ${MAX_SHARDS}`;
  if (index < 1 || index > total) return `\`shard\` ${text}: the shard must be from 1 to ${total} (matrix values start at 1)`;
  return { index, total };
}

/** `slipway-shard-2-of-4`: the artifact each shard uploads and the merge job looks for. */
export function shardArtifactName(shard: Shard): string {
  return `slipway-shard-${shard.index}-of-${shard.total}`;
}

export interface TestFile {
  /** Project-relative, `/`-separated. */
  path: string;
  /** Bytes; the estimate when no duration was recorded. */
  size?: number;
}

/** What the split was based on, for the log: the best the inputs allowed. */
export type SplitBasis = 'durations' | 'size' | 'round robin';

export interface SplitPlan {
  basis: SplitBasis;
  /** Files of each shard (index 0 is shard 1), in path order. */
  shards: string[][];
  /** Each shard's estimated weight (milliseconds with durations, bytes by size, files by round robin). */
  loads: number[];
  /** Files without a recorded duration (new since the recording): weighed at the mean of the others. */
  unrecorded: string[];
}

const byPath = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Largest first, each into the lightest shard (ties: the lower shard): within 4/3 of the best
 * possible split, and much closer when most files are small. By recorded durations when any file
 * has one, else by size when sizes are known, else round robin over the sorted paths.
 */
export function splitTests(files: readonly TestFile[], total: number, durations: ReadonlyMap<string, number> = new Map()): SplitPlan {
  const unique = [...new Map(files.map((file) => [file.path, file])).values()].sort((a, b) => byPath(a.path, b.path));
  const recorded = unique.filter((file) => usable(durations.get(file.path)));
  const emptyShards = (): string[][] => Array.from({ length: total }, () => []);
  if (recorded.length > 0) {
    const mean = recorded.reduce((sum, file) => sum + durations.get(file.path)!, 0) / recorded.length;
    const unrecorded = unique.filter((file) => !usable(durations.get(file.path))).map((file) => file.path);
    const weighed = unique.map((file) => ({ path: file.path, weight: usable(durations.get(file.path)) ? durations.get(file.path)! : mean }));
    return { basis: 'durations', ...greedy(weighed, total), unrecorded };
  }
  if (unique.length > 0 && unique.every((file) => usable(file.size))) {
    return {
      basis: 'size',
      ...greedy(
        unique.map((file) => ({ path: file.path, weight: file.size! })),
        total
      ),
      unrecorded: unique.map((f) => f.path)
    };
  }
  const shards = emptyShards();
  unique.forEach((file, i) => shards[i % total]!.push(file.path));
  return { basis: 'round robin', shards, loads: shards.map((s) => s.length), unrecorded: unique.map((f) => f.path) };
}

const usable = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n) && n >= 0;

function greedy(weighed: Array<{ path: string; weight: number }>, total: number): Pick<SplitPlan, 'shards' | 'loads'> {
  const shards: string[][] = Array.from({ length: total }, () => []);
  const loads = new Array<number>(total).fill(0);
  const order = [...weighed].sort((a, b) => b.weight - a.weight || byPath(a.path, b.path));
  for (const file of order) {
    let lightest = 0;
    for (let i = 1; i < total; i++) if (loads[i]! < loads[lightest]!) lightest = i;
    shards[lightest]!.push(file.path);
    loads[lightest]! += file.weight;
  }
  return { shards: shards.map((s) => s.sort(byPath)), loads };
}

/** Each test file's duration: the sum of its tests' (tests whose file is unknown are left out). */
export function fileDurations(cases: ReadonlyArray<{ file?: string; durationMs: number }>, prefix = ''): Map<string, number> {
  const durations = new Map<string, number>();
  for (const testCase of cases) {
    if (!testCase.file || !Number.isFinite(testCase.durationMs)) continue;
    const file = prefix && testCase.file.startsWith(prefix) ? testCase.file.slice(prefix.length) : testCase.file;
    durations.set(file, (durations.get(file) ?? 0) + Math.max(0, testCase.durationMs));
  }
  return durations;
}

/** The sentence the log shows: `shard 2/4: 12 of 45 test files, split by recorded durations (est. 41.2s of 160.3s)`. */
export function describeSplit(plan: SplitPlan, shard: Shard): string {
  const mine = plan.shards[shard.index - 1] ?? [];
  const all = plan.shards.reduce((sum, s) => sum + s.length, 0);
  const sum = plan.loads.reduce((a, b) => a + b, 0);
  const load = plan.loads[shard.index - 1] ?? 0;
  const estimate =
    plan.basis === 'durations'
      ? ` (est. ${(load / 1000).toFixed(1)}s of ${(sum / 1000).toFixed(1)}s${plan.unrecorded.length > 0 ? `; ${plan.unrecorded.length} new file(s) at the mean` : ''})`
      : plan.basis === 'size'
        ? ' (no durations recorded yet: a push to the default branch records them)'
        : '';
  return `shard ${shard.index}/${shard.total}: ${mine.length} of ${all} test files, split by ${plan.basis === 'durations' ? 'recorded durations' : plan.basis === 'size' ? 'file size' : 'round robin'}${estimate}`;
}

/** Saved beside the baseline: test file (project-relative) → milliseconds. */
export const DURATIONS_FILE = 'durations.json';

export function serializeDurations(durations: ReadonlyMap<string, number>): string {
  return JSON.stringify({ version: 1, files: Object.fromEntries([...durations].map(([file, ms]) => [file, Math.round(ms)])) });
}

/** The recorded durations; empty when the text is missing, unreadable or of another version. */
export function parseDurations(text: string | undefined): Map<string, number> {
  try {
    const value = JSON.parse(text ?? '') as { version?: unknown; files?: unknown };
    if (value.version !== 1 || typeof value.files !== 'object' || value.files === null) return new Map();
    return new Map(Object.entries(value.files as Record<string, unknown>).filter((e): e is [string, number] => usable(e[1] as number)));
  } catch {
    return new Map();
  }
}
