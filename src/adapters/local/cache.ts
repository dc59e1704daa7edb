// CacheStore in a local folder, for `slipway run`: the same keys and lookup rules as GitHub's service
// (exact key, then restore keys as prefixes with the newest winning; the paths must match too).
// An entry is an archive plus a small record written after it, so a save cut short is never found.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../cache-key.js';
import type { CacheStore, ProcessRunner } from '../../ports.js';

interface EntryRecord {
  key: string;
  version: string;
  archive: string;
  createdAt: number;
}

export function localCacheStore(dir: string, runner: ProcessRunner, compression: 'zstd' | 'gzip'): CacheStore {
  const tarFlag = compression === 'zstd' ? '--zstd' : '--gzip';
  const versionOf = (paths: string[]): string => sha256([...paths].sort().join('\n') + `|${compression}`);
  const records = (): EntryRecord[] =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((name) => name.endsWith('.json'))
          .flatMap((name) => {
            try {
              return [JSON.parse(readFileSync(join(dir, name), 'utf8')) as EntryRecord];
            } catch {
              return []; // a damaged record is a miss, not a failure
            }
          })
      : [];

  const tar = async (args: string[]): Promise<void> => {
    const result = await runner.run('tar', args, { cwd: '/' });
    if (result.code !== 0) throw new Error(`tar exited with ${result.code}: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
  };

  return {
    description: `local cache in ${dir}`,
    partial: true,
    async restore(paths, key, restoreKeys = []) {
      const version = versionOf(paths);
      const candidates = records().filter((r) => r.version === version && existsSync(join(dir, r.archive)));
      const exact = candidates.find((r) => r.key === key);
      const found =
        exact ?? restoreKeys.map((prefix) => candidates.filter((r) => r.key.startsWith(prefix)).sort((a, b) => b.createdAt - a.createdAt)[0]).find(Boolean);
      if (!found) return undefined;
      await tar([tarFlag, '-xPf', join(dir, found.archive)]);
      return found.key;
    },
    async save(paths, key, _signal, _progress, members) {
      const version = versionOf(paths);
      const id = sha256(`${key}\n${version}`).slice(0, 32);
      if (existsSync(join(dir, `${id}.json`))) return false;
      mkdirSync(dir, { recursive: true });
      const archive = `${id}.tar${compression === 'zstd' ? '.zst' : '.gz'}`;
      const partial = join(dir, `${archive}.partial-${process.pid}`);
      try {
        const present = (list: string[]): string[] => list.filter((path) => existsSync(path));
        const named = members ? ['--no-recursion', ...present(members.folders), '--recursion', ...present(members.trees)] : present(paths);
        await tar([tarFlag, '-cPf', partial, ...named]);
        renameSync(partial, join(dir, archive));
      } finally {
        rmSync(partial, { force: true });
      }
      const record: EntryRecord = { key, version, archive, createdAt: Date.now() };
      writeFileSync(join(dir, `${id}.json.partial`), JSON.stringify(record));
      renameSync(join(dir, `${id}.json.partial`), join(dir, `${id}.json`));
      return true;
    }
  };
}
