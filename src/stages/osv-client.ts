// Asks an OSV-compatible API (through the Http port) which advisories affect the installed packages:
// the batch query in chunks with its pages followed, then each advisory's record, fetched once per
// run. Bounded: every request shares one short total budget and is retried a few times (retry.ts).
import type { Http, HttpResponse } from '../ports.js';
import { nextDelay, type RetryPolicy } from '../retry.js';
import { batchBody, chunks, parseBatch, type BatchQuery } from '../reports/osv-batch.js';
import { parseRecord, type InstalledVersion, type OsvRecord } from '../reports/osv.js';

/** The whole audit's exchanges end within this. */
export const AUDIT_BUDGET_MS = 20_000;
const POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 2_000, maxRetryAfterMs: 3_000 };
/** Pages of one batch at most: a guard against a server handing out tokens forever. */
const MAX_PAGES = 50;
const PARALLEL_FETCHES = 8;

/** The database could not be asked, or answered what is no OSV answer. */
export class OsvUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OsvUnavailable';
  }
}

export interface OsvClientOptions {
  url: string;
  http: Http;
  budgetMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class OsvClient {
  private readonly records = new Map<string, Promise<OsvRecord>>();
  private readonly deadline: number;
  private readonly base: string;

  constructor(private readonly options: OsvClientOptions) {
    this.deadline = Date.now() + (options.budgetMs ?? AUDIT_BUDGET_MS);
    this.base = options.url.replace(/\/+$/, '');
  }

  /** The records of every advisory the database names for each package, by `name@version`. */
  async advisories(packages: readonly InstalledVersion[]): Promise<Map<InstalledVersion, OsvRecord[]>> {
    const ids = new Map<InstalledVersion, string[]>();
    for (const chunk of chunks(packages)) {
      let pending: BatchQuery[] = chunk.map((pkg) => ({ pkg }));
      for (let page = 0; pending.length > 0; page += 1) {
        if (page >= MAX_PAGES) throw new OsvUnavailable(`more than ${MAX_PAGES} pages of results`);
        const response = await this.exchange('POST', `${this.base}/v1/querybatch`, batchBody(pending));
        const answers = parseOrThrow(() => parseBatch(response.body, pending.length));
        const next: BatchQuery[] = [];
        answers.forEach((answer, index) => {
          const query = pending[index] as BatchQuery;
          ids.set(query.pkg, [...(ids.get(query.pkg) ?? []), ...answer.ids]);
          if (answer.nextPageToken) next.push({ pkg: query.pkg, pageToken: answer.nextPageToken });
        });
        pending = next;
      }
    }
    const unique = [...new Set([...ids.values()].flat())];
    for (let start = 0; start < unique.length; start += PARALLEL_FETCHES) {
      await Promise.all(unique.slice(start, start + PARALLEL_FETCHES).map((id) => this.record(id)));
    }
    const out = new Map<InstalledVersion, OsvRecord[]>();
    for (const [pkg, found] of ids) out.set(pkg, await Promise.all([...new Set(found)].map((id) => this.record(id))));
    return out;
  }

  /** One advisory's record, fetched once per run. */
  record(id: string): Promise<OsvRecord> {
    let cached = this.records.get(id);
    if (!cached) {
      cached = this.exchange('GET', `${this.base}/v1/vulns/${encodeURIComponent(id)}`).then((response) => {
        const record = parseOrThrow(() => parseRecord(JSON.parse(response.body)));
        if (!record || record.id !== id) throw new OsvUnavailable(`the record of ${id} is no OSV record`);
        return record;
      });
      cached.catch(() => undefined);
      this.records.set(id, cached);
    }
    return cached;
  }

  private async exchange(method: 'GET' | 'POST', url: string, body?: string): Promise<HttpResponse> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (let attempt = 1; ; attempt += 1) {
      const left = this.deadline - Date.now();
      if (left <= 0) throw new OsvUnavailable(`no answer within ${Math.round((this.options.budgetMs ?? AUDIT_BUDGET_MS) / 1000)} s`);
      let response: HttpResponse | undefined;
      let failure: string;
      try {
        response = await this.options.http.request(method, url, {
          timeoutMs: left,
          body,
          headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
          redirects: 'same-origin',
          refuseLinkLocal: true
        });
        if (response.status >= 200 && response.status < 300) return response;
        failure = `HTTP ${response.status}`;
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
      }
      const delay = nextDelay(attempt, response ? response.status : 'network-error', { retryAfter: response?.headers['retry-after'], policy: POLICY });
      if (delay === undefined || delay >= this.deadline - Date.now()) throw new OsvUnavailable(`${method} ${url}: ${failure}`);
      await sleep(delay);
    }
  }
}

function parseOrThrow<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new OsvUnavailable(`unreadable answer: ${error instanceof Error ? error.message : String(error)}`);
  }
}
