/**
 * End to end: the vulnerability audit on the BUNDLED action, against a fake OSV API on loopback
 * (support/fake-osv.ts) serving records this file writes for the fixtures' exact versions: a Python
 * project (two real packages from the local pip mirror, installed once and restored from the fake
 * cache service after) and an npm project (package-lock.json). Every case points `audit-url` at the
 * fake (or at a closed port): no test reaches api.osv.dev.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ActionResult, Annotation } from './support/action-runner.js';
import { expectFailure, expectSuccess } from './support/assertions.js';
import { closedPortUrl, startCacheService, type CacheService } from './support/cache-service.js';
import { startFakeOsv, type FakeOsv, type OsvRecordFixture } from './support/fake-osv.js';
import { ProjectJob } from './support/job.js';
import { pipMirrorEnv } from './support/python.js';
import { fixturePath, removeTempDirs, repoRoot } from './support/workspace.js';

const ACTION_DIR = process.env['SLIPWAY_E2E_ACTION_DIR'] ?? repoRoot();
const ecosystemRange = (...events: Array<Record<string, string>>) => ({ type: 'ECOSYSTEM', events });

/** Records for idna 3.20 and six 1.17.0 (requirements.txt lines 2 and 3; python-dateutil on line 4 requires six), and ms 2.1.3 (npm). */
const RECORDS: OsvRecordFixture[] = [
  {
    id: 'GHSA-six0-0000-0001',
    summary: 'six trusts what it should not',
    aliases: ['CVE-2099-1001'],
    database_specific: { severity: 'HIGH' },
    affected: [{ package: { ecosystem: 'PyPI', name: 'six' }, ranges: [ecosystemRange({ introduced: '0' }, { fixed: '1.17.1' })] }]
  },
  {
    // Fixed long before the installed 1.17.0: not a finding. Also puts six on two pages.
    id: 'PYSEC-2013-0001',
    summary: 'an old six problem',
    affected: [{ package: { ecosystem: 'PyPI', name: 'six' }, ranges: [ecosystemRange({ introduced: '0' }, { fixed: '1.4.0' })] }]
  },
  {
    id: 'GHSA-idna-0000-0002',
    summary: 'idna decodes slowly',
    aliases: ['CVE-2099-2002'],
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N' }],
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'idna' },
        ranges: [ecosystemRange({ introduced: '0' }, { fixed: '3.21' }, { introduced: '4.0' }, { fixed: '4.1' })]
      }
    ]
  },
  {
    id: 'GHSA-ms00-0000-0003',
    summary: 'ms parses too much',
    database_specific: { severity: 'MODERATE' },
    affected: [{ package: { ecosystem: 'npm', name: 'ms' }, ranges: [ecosystemRange({ introduced: '2.0.0' }, { fixed: '2.1.4' })] }]
  }
];

let svc: CacheService;
let osv: FakeOsv;

beforeAll(async () => {
  svc = await startCacheService();
  osv = await startFakeOsv(RECORDS);
});

afterAll(async () => {
  await osv?.stop();
  await svc?.stop();
  removeTempDirs();
});

const warnings = (r: ActionResult): Annotation[] => r.annotations.filter((a) => a.level === 'warning');
const auditAnnotations = (r: ActionResult): Annotation[] => warnings(r).filter((a) => /^(GHSA|PYSEC)-/.test(a.title ?? ''));
const where = (a: Annotation): string => `${a.file}:${a.line}`;
const stageLine = (r: ActionResult): string => r.log.split('\n').find((line) => /^[✓✗–!] audit\s/.test(line)) ?? '';

describe('Python (pip)', () => {
  const job = new ProjectJob(fixturePath('pip-audit'), 'services/app', () => ({
    actionDir: ACTION_DIR,
    cacheService: svc,
    env: pipMirrorEnv(),
    inputs: { audit: 'true', 'audit-url': osv.url }
  }));
  const requirements = job.file('requirements.txt');

  test('findings are counted and annotated on the declaring line with the fixed version; a fix older than the installed version is none', async () => {
    osv.requests.length = 0;
    const result = await job.run();
    expectSuccess(result);
    expect(result.outputs['vulnerabilities']).toBe('2');
    const found = auditAnnotations(result);
    expect(found.map(where).sort()).toEqual([`${requirements}:2`, `${requirements}:3`]);
    const six = found.find((a) => a.line === 3);
    expect(six?.title).toContain('GHSA-six0-0000-0001');
    expect(six?.message).toContain('six 1.17.0 is installed; upgrade six to 1.17.1');
    expect(found.find((a) => a.line === 2)?.message).toContain('upgrade idna to 3.21');
    expect(result.annotations.some((a) => a.message.includes('PYSEC-2013-0001'))).toBe(false);
    // six's second record came on a second page; each record was fetched once.
    expect(osv.requests.filter((r) => r === 'POST /v1/querybatch').length).toBeGreaterThanOrEqual(2);
    expect(osv.requests.filter((r) => r.startsWith('GET /v1/vulns/')).sort()).toEqual([
      'GET /v1/vulns/GHSA-idna-0000-0002',
      'GET /v1/vulns/GHSA-six0-0000-0001',
      'GET /v1/vulns/PYSEC-2013-0001'
    ]);
    expect(stageLine(result)).toMatch(/2 known vulnerabilities in 2 packages/);
    expect(result.summary).toContain('### Known vulnerabilities');
    expect(result.summary).toContain('GHSA-six0-0000-0001');
  });

  test('a package no requirement names is annotated on the line of the one that pulls it in', async () => {
    const result = await job.run({}, (project) => {
      const file = path.join(project, 'requirements.txt');
      writeFileSync(file, readFileSync(file, 'utf8').replace('six==1.17.0\n', ''));
    });
    expectSuccess(result);
    const six = auditAnnotations(result).find((a) => a.title?.startsWith('GHSA-six0-0000-0001'));
    expect(six && where(six)).toBe(`${requirements}:3`);
    expect(six?.message).toContain('upgrade six to 1.17.1 (pulled in by python-dateutil)');
  });

  test('audit-level fails the step at or above the level', async () => {
    const result = await job.run({ inputs: { 'audit-level': 'high' } });
    expectFailure(result);
    expect(result.outputs['vulnerabilities']).toBe('2');
    expect(stageLine(result)).toMatch(/^✗ audit .*1 at or above audit-level high/);
    const passing = await job.run({ inputs: { 'audit-level': 'critical' } });
    expectSuccess(passing);
  });

  test('audit-ignore drops an advisory by its id and another by its alias', async () => {
    const result = await job.run({ inputs: { 'audit-ignore': 'ghsa-six0-0000-0001\nCVE-2099-2002', 'audit-level': 'low' } });
    expectSuccess(result);
    expect(result.outputs['vulnerabilities']).toBe('0');
    expect(auditAnnotations(result)).toEqual([]);
    expect(stageLine(result)).toMatch(/no known vulnerabilities .*\(2 ignored\)/);
  });

  test('an unreachable database: green, one warning, no count', async () => {
    const result = await job.run({ inputs: { 'audit-url': await closedPortUrl(), 'audit-level': 'low' } });
    expectSuccess(result);
    expect(result.outputs['vulnerabilities']).toBe('');
    const audit = warnings(result).filter((a) => /vulnerability audit/i.test(`${a.title} ${a.message}`));
    expect(audit).toHaveLength(1);
    expect(audit[0]?.message).toContain('could not be asked');
  });

  test('an untrusted event is audited too (the audit only reads)', async () => {
    const result = await job.run({ event: 'pull_request_target' });
    expectSuccess(result);
    expect(result.outputs['vulnerabilities']).toBe('2');
    expect(auditAnnotations(result).map(where).sort()).toEqual([`${requirements}:2`, `${requirements}:3`]);
  });

  test('audit: false sends nothing', async () => {
    osv.requests.length = 0;
    const result = await job.run({ inputs: { audit: 'false' } });
    expectSuccess(result);
    expect(osv.requests).toEqual([]);
    expect(result.outputs['vulnerabilities']).toBe('');
    expect(stageLine(result)).toBe('');
  });
});

describe('Node (npm lockfile)', () => {
  const job = new ProjectJob(fixturePath('node-test-runner'), 'web', () => ({
    actionDir: ACTION_DIR,
    cacheService: svc,
    inputs: { audit: 'true', 'audit-url': osv.url }
  }));

  test('a finding in the lockfile is annotated on its package.json line', async () => {
    const result = await job.run();
    expectSuccess(result);
    expect(result.outputs['vulnerabilities']).toBe('1');
    const [ms] = auditAnnotations(result);
    expect(ms && where(ms)).toBe(`${path.posix.join('web', 'package.json')}:10`);
    expect(ms?.message).toContain('ms 2.1.3 is installed; upgrade ms to 2.1.4');
  });
});
