/**
 * A fake OSV API on loopback for the audit tests: `POST /v1/querybatch` answers each query with the
 * ids of the records naming its package (ONE id per page, so every package with two records goes
 * through a `next_page_token`), `GET /v1/vulns/{id}` serves the record. Versions are not matched: the
 * action must judge the ranges itself. Every request is recorded.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OsvRecordFixture {
  id: string;
  summary?: string;
  aliases?: string[];
  database_specific?: { severity?: string };
  severity?: Array<{ type: string; score: string }>;
  affected: Array<{
    package: { ecosystem: string; name: string };
    ranges?: Array<{ type: string; events: Array<Record<string, string>> }>;
    versions?: string[];
  }>;
}

export interface FakeOsv {
  url: string;
  /** `METHOD path`, in order. */
  requests: string[];
  /** Replaces the records served (the next run sees them). */
  setRecords(records: OsvRecordFixture[]): void;
  stop(): Promise<void>;
}

interface Query {
  package?: { name?: string; ecosystem?: string };
  version?: string;
  page_token?: string;
}

const normalize = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

export async function startFakeOsv(initial: OsvRecordFixture[] = []): Promise<FakeOsv> {
  let records = initial;
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '';
      requests.push(`${req.method} ${url}`);
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST' && url === '/v1/querybatch') {
        const { queries } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { queries: Query[] };
        const results = queries.map((query) => {
          const ids = records
            .filter((r) =>
              r.affected.some((a) => a.package.ecosystem === query.package?.ecosystem && normalize(a.package.name) === normalize(query.package?.name ?? ''))
            )
            .map((r) => r.id);
          const page = Number(query.page_token ?? '0');
          const id = ids[page];
          if (id === undefined) return {};
          return page + 1 < ids.length
            ? { vulns: [{ id, modified: '2026-01-01T00:00:00Z' }], next_page_token: String(page + 1) }
            : { vulns: [{ id, modified: '2026-01-01T00:00:00Z' }] };
        });
        return send(200, { results });
      }
      const vuln = /^\/v1\/vulns\/([^/?]+)$/.exec(url);
      const record = vuln ? records.find((r) => r.id === decodeURIComponent(vuln[1] ?? '')) : undefined;
      if (req.method === 'GET' && record) return send(200, record);
      send(404, { code: 5, message: 'Bug not found.' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setRecords: (next) => {
      records = next;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  };
}
