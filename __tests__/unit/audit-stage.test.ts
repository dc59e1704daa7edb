// The audit stage over fake ports: pages of the batch query followed, records fetched once, findings
// placed on their manifest line, audit-ignore and audit-level, and a database that cannot be asked
// (down, answering garbage) as one warning.
import { describe, expect, test } from '@jest/globals';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildConfig, type Config } from '../../src/config.js';
import type { Ports, RunContext } from '../../src/context.js';
import type { Ecosystem, Environment, InstalledPackage } from '../../src/ecosystems/ecosystem.js';
import type { Http, HttpResponse } from '../../src/ports.js';
import { HttpError } from '../../src/ports.js';
import { runAudit } from '../../src/stages/audit.js';
import { fakeFiles, fakeHost, fakeReporter, fakeRunner } from '../fixtures/fake-ports.js';

const project = path.join(tmpdir(), 'shop');
const context: RunContext = {
  repositoryRoot: path.dirname(project),
  stateDir: '/state',
  tempDir: '/tmp/run',
  os: 'linux',
  arch: 'x64',
  image: 'ubuntu24',
  inActions: false,
  event: { name: 'push', ref: 'refs/heads/main', sha: 'abc', defaultBranch: 'main', repository: '', serverUrl: '' }
};
const environment: Environment = { root: project, env: {}, data: undefined };
const INSTALLED: InstalledPackage[] = [
  { name: 'Flask', version: '2.0.0', ecosystem: 'PyPI' },
  { name: 'werkzeug', version: '2.0.0', ecosystem: 'PyPI' },
  { name: 'six', version: '1.16.0', ecosystem: 'PyPI' }
];
const ecosystem = { name: 'python', listInstalled: () => INSTALLED } as unknown as Ecosystem;

const RECORDS: Record<string, unknown> = {
  'GHSA-flask-1': {
    id: 'GHSA-flask-1',
    summary: 'Session cookie disclosure',
    aliases: ['CVE-2023-30861'],
    database_specific: { severity: 'HIGH' },
    affected: [{ package: { ecosystem: 'PyPI', name: 'flask' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.2.5' }] }] }]
  },
  'PYSEC-old': {
    id: 'PYSEC-old',
    summary: 'Fixed long ago',
    affected: [{ package: { ecosystem: 'PyPI', name: 'flask' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.12.3' }] }] }]
  },
  'GHSA-werk-1': {
    id: 'GHSA-werk-1',
    summary: 'Debugger RCE',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N' }],
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'Werkzeug' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.2.3' }, { introduced: '3.0' }, { fixed: '3.0.1' }] }]
      }
    ]
  }
};

/** Flask's ids come on two pages; records are counted per id. */
function osv(): { http: Http; fetched: string[]; pages: string[] } {
  const fetched: string[] = [];
  const pages: string[] = [];
  const json = (value: unknown): HttpResponse => ({ status: 200, headers: {}, body: JSON.stringify(value) });
  const http: Http = {
    async request(method, url, options) {
      if (method === 'POST' && url === 'https://osv.test/v1/querybatch') {
        const { queries } = JSON.parse(options.body ?? '') as { queries: Array<{ package: { name: string }; page_token?: string }> };
        pages.push(queries.map((q) => `${q.package.name}:${q.page_token ?? ''}`).join(','));
        return json({
          results: queries.map((q) => {
            if (q.package.name === 'Flask')
              return q.page_token === 'p2' ? { vulns: [{ id: 'PYSEC-old' }] } : { vulns: [{ id: 'GHSA-flask-1' }], next_page_token: 'p2' };
            return q.package.name === 'werkzeug' ? { vulns: [{ id: 'GHSA-werk-1' }] } : {};
          })
        });
      }
      const id = decodeURIComponent(url.replace('https://osv.test/v1/vulns/', ''));
      fetched.push(id);
      return RECORDS[id] ? json(RECORDS[id]) : { status: 404, headers: {}, body: '{}' };
    }
  };
  return { http, fetched, pages };
}

async function audit(overrides: Partial<Config>, http: Http, installed: Ecosystem = ecosystem) {
  const config: Config = { ...(await buildConfig(() => '', tmpdir())), workingDirectory: project, auditUrl: 'https://osv.test', ...overrides };
  const files = fakeFiles({ [path.join(project, 'requirements.txt')]: '# deps\nflask==2.0.0\nWerkzeug==2.0.0\n' });
  const { reporter, seen } = fakeReporter();
  const ports: Ports = { runner: fakeRunner(), reporter, http, files, host: fakeHost() };
  const outcome = await runAudit(config, context, ports, installed, environment, { sleep: async () => undefined });
  return { outcome, warnings: seen.warnings };
}

describe('audit stage', () => {
  test('findings on their lines with the fixed version; a record fixed below the installed version is not one', async () => {
    const fake = osv();
    const { outcome, warnings } = await audit({}, fake.http);
    expect(fake.pages).toEqual(['Flask:,werkzeug:,six:', 'Flask:p2']);
    expect(fake.fetched.sort()).toEqual(['GHSA-flask-1', 'GHSA-werk-1', 'PYSEC-old']);
    expect(warnings).toEqual([]);
    expect(outcome.stage.status).toBe('warning');
    expect(outcome.stage.headline).toBe('2 known vulnerabilities in 2 packages');
    expect(outcome.vulnerabilities?.map((v) => [v.id, v.package, v.severity, v.fixed, v.path, v.line])).toEqual([
      ['GHSA-flask-1', 'Flask', 'high', '2.2.5', 'shop/requirements.txt', 2],
      ['GHSA-werk-1', 'werkzeug', 'moderate', '2.2.3', 'shop/requirements.txt', 3]
    ]);
  });

  test.each([
    [{ auditLevel: 'high' as const }, 'failure', 2],
    [{ auditLevel: 'critical' as const }, 'warning', 2],
    [{ auditIgnore: ['CVE-2023-30861'] }, 'warning', 1],
    [{ auditIgnore: ['GHSA-FLASK-1', 'GHSA-WERK-1'], auditLevel: 'low' as const }, 'success', 0]
  ])('%j → %s with %s findings', async (overrides, status, count) => {
    const { outcome } = await audit(overrides, osv().http);
    expect(outcome.stage.status).toBe(status);
    expect(outcome.vulnerabilities).toHaveLength(count);
  });

  test.each<[string, () => Promise<HttpResponse>]>([
    ['down', () => Promise.reject(new HttpError('connect ECONNREFUSED', 'network', false))],
    ['garbage', async () => ({ status: 200, headers: {}, body: '<html>hello</html>' })],
    ['failing', async () => ({ status: 503, headers: {}, body: '' })],
    ['refusing', async () => ({ status: 403, headers: {}, body: '' })]
  ])('a database %s: one warning, not audited, no failure', async (_name, answer) => {
    let calls = 0;
    const { outcome, warnings } = await audit({ auditLevel: 'low' }, { request: () => ((calls += 1), answer()) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('https://osv.test');
    expect(outcome.stage.status).toBe('warning');
    expect(outcome.vulnerabilities).toBeUndefined();
    expect(calls).toBeLessThanOrEqual(3);
  });

  test('installed packages that cannot be listed: one warning, no request, no failure', async () => {
    const fake = osv();
    const broken = {
      name: 'python',
      listInstalled: () => {
        throw new Error('site-packages unreadable');
      }
    } as unknown as Ecosystem;
    const { outcome, warnings } = await audit({ auditLevel: 'low' }, fake.http, broken);
    expect(warnings).toEqual(['Vulnerability audit skipped: the installed packages could not be listed (site-packages unreadable).']);
    expect(outcome.stage.status).toBe('warning');
    expect(fake.pages).toEqual([]);
  });

  test('no package installed: no finding, nothing to fail', async () => {
    const { outcome } = await audit({ auditLevel: 'low' }, osv().http, { name: 'python', listInstalled: () => [] } as unknown as Ecosystem);
    expect(outcome.stage).toMatchObject({ status: 'success', headline: 'no known vulnerabilities in 0 packages' });
    expect(outcome.vulnerabilities).toEqual([]);
  });

  test('a package no manifest names is annotated on the line of the requirement that pulls it in', async () => {
    const installed = [
      { name: 'flask', version: '2.0.0', ecosystem: 'PyPI', requires: ['werkzeug', 'jinja2'] },
      { name: 'jinja2', version: '3.0.0', ecosystem: 'PyPI', requires: ['markupsafe'] },
      { name: 'markupsafe', version: '2.0.0', ecosystem: 'PyPI' },
      { name: 'pip', version: '20.0', ecosystem: 'PyPI' }
    ];
    const record = (id: string, name: string) => ({
      id,
      summary: 's',
      affected: [{ package: { ecosystem: 'PyPI', name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '99' }] }] }]
    });
    const served: Record<string, unknown> = { 'GHSA-m': record('GHSA-m', 'MarkupSafe'), 'GHSA-p': record('GHSA-p', 'pip') };
    const http: Http = {
      async request(method, url, options) {
        if (method === 'POST') {
          const { queries } = JSON.parse(options.body ?? '') as { queries: Array<{ package: { name: string } }> };
          const ids: Record<string, string> = { markupsafe: 'GHSA-m', pip: 'GHSA-p' };
          return {
            status: 200,
            headers: {},
            body: JSON.stringify({ results: queries.map((q) => (ids[q.package.name] ? { vulns: [{ id: ids[q.package.name] }] } : {})) })
          };
        }
        return { status: 200, headers: {}, body: JSON.stringify(served[url.split('/').pop() ?? '']) };
      }
    };
    const { outcome } = await audit({}, http, { name: 'python', listInstalled: () => installed } as unknown as Ecosystem);
    expect(outcome.vulnerabilities?.map((v) => [v.package, v.path, v.line, v.via])).toEqual([
      ['markupsafe', 'shop/requirements.txt', 2, 'flask'],
      ['pip', 'shop/requirements.txt', undefined, undefined]
    ]);
  });

  test('a slow database: cut off by the total budget, one warning', async () => {
    const config: Config = { ...(await buildConfig(() => '', tmpdir())), workingDirectory: project, auditUrl: 'https://osv.test', auditLevel: 'low' };
    const { reporter, seen } = fakeReporter();
    const limits: number[] = [];
    // Answers only when its deadline has passed: as a server that never answers, seen through the Http port.
    const slow: Http = {
      request: async (_method, _url, options) => {
        limits.push(options.timeoutMs);
        await new Promise((resolve) => setTimeout(resolve, options.timeoutMs));
        throw new HttpError('no answer in time', 'timeout', true);
      }
    };
    const ports: Ports = { runner: fakeRunner(), reporter, http: slow, files: fakeFiles(), host: fakeHost() };
    const outcome = await runAudit(config, context, ports, ecosystem, environment, { budgetMs: 50, sleep: async () => undefined });
    expect(outcome.stage.status).toBe('warning');
    expect(seen.warnings).toHaveLength(1);
    expect(limits.every((limit) => limit <= 50)).toBe(true);
  });

  test('Node without package-lock.json (pnpm, yarn): what the installed packages depend on tell who pulls a package in', async () => {
    const config: Config = { ...(await buildConfig(() => '', tmpdir())), workingDirectory: project, auditUrl: 'https://osv.test' };
    const packageJson = '{\n  "name": "web",\n  "dependencies": {\n    "express": "^4"\n  }\n}\n';
    const files = fakeFiles({ [path.join(project, 'package.json')]: packageJson, [path.join(project, 'pnpm-lock.yaml')]: 'lockfileVersion: 9.0\n' });
    const installed = [
      { name: 'express', version: '4.0.0', ecosystem: 'npm', requires: ['body-parser'] },
      { name: 'body-parser', version: '1.0.0', ecosystem: 'npm', requires: ['qs'] },
      { name: 'qs', version: '6.0.0', ecosystem: 'npm' }
    ];
    const qs = {
      id: 'GHSA-qs',
      summary: 'proto',
      affected: [{ package: { ecosystem: 'npm', name: 'qs' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '6.2.4' }] }] }]
    };
    const http: Http = {
      async request(method, _url, options) {
        if (method === 'GET') return { status: 200, headers: {}, body: JSON.stringify(qs) };
        const { queries } = JSON.parse(options.body ?? '') as { queries: Array<{ package: { name: string } }> };
        return {
          status: 200,
          headers: {},
          body: JSON.stringify({ results: queries.map((q) => (q.package.name === 'qs' ? { vulns: [{ id: 'GHSA-qs' }] } : {})) })
        };
      }
    };
    const { reporter } = fakeReporter();
    const node = { name: 'node', listInstalled: () => installed } as unknown as Ecosystem;
    const outcome = await runAudit(config, context, { runner: fakeRunner(), reporter, http, files, host: fakeHost() }, node, environment);
    expect(outcome.vulnerabilities?.map((v) => [v.package, v.path, v.line, v.via, v.fixed])).toEqual([['qs', 'shop/package.json', 4, 'express', '6.2.4']]);
  });
});
