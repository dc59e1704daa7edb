// OSV's batch query (`POST /v1/querybatch`): the request bodies for installed packages, in chunks of
// at most 1,000 queries, and the answers read from untrusted JSON. Pure.
import type { InstalledVersion } from './osv.js';

export const BATCH_SIZE = 1000;

export interface BatchQuery {
  pkg: InstalledVersion;
  pageToken?: string;
}

export interface BatchAnswer {
  /** Advisory ids found for the query's package. */
  ids: string[];
  /** Present when more ids wait on another page. */
  nextPageToken?: string;
}

export function chunks<T>(items: readonly T[], size = BATCH_SIZE): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

export function batchBody(queries: readonly BatchQuery[]): string {
  return JSON.stringify({
    queries: queries.map(({ pkg, pageToken }) => ({
      package: { name: pkg.name, ecosystem: pkg.ecosystem },
      version: pkg.version,
      ...(pageToken ? { page_token: pageToken } : {})
    }))
  });
}

/** One answer per query, in order; throws when the body is no such answer. */
export function parseBatch(body: string, expected: number): BatchAnswer[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('the answer is not JSON');
  }
  const results = typeof json === 'object' && json !== null ? (json as { results?: unknown }).results : undefined;
  if (!Array.isArray(results) || results.length !== expected)
    throw new Error(`expected ${expected} results, got ${Array.isArray(results) ? results.length : 'none'}`);
  return results.map((result: unknown): BatchAnswer => {
    const entry = typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : {};
    const vulns = Array.isArray(entry['vulns']) ? entry['vulns'] : [];
    const ids = vulns
      .map((vuln: unknown) => (typeof vuln === 'object' && vuln !== null ? (vuln as { id?: unknown }).id : undefined))
      .filter((id): id is string => typeof id === 'string' && /^[A-Za-z0-9._:-]+$/.test(id));
    const token = entry['next_page_token'];
    return { ids, nextPageToken: typeof token === 'string' && token !== '' ? token : undefined };
  });
}
