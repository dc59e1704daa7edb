// The OSV rules: reading records, whether one affects the installed version, the fixed version to
// suggest, severity (named or from a CVSS vector), audit-ignore and audit-level. Table-driven, plus
// properties of the suggested fix over generated ranges.
import { describe, expect, test } from '@jest/globals';
import semver from 'semver';
import * as pep440 from '@renovatebot/pep440';
import {
  affects,
  cvssBaseScore,
  firstFixed,
  isIgnored,
  parseRecord,
  ratingOf,
  tripsLevel,
  type AuditSeverity,
  type InstalledVersion,
  type OsvRecord
} from '../../src/reports/osv.js';
import { compareVersions, normalizeName, type AuditEcosystem } from '../../src/reports/osv-versions.js';
import { batchBody, chunks, parseBatch } from '../../src/reports/osv-batch.js';

type Events = Array<{ introduced?: string; fixed?: string; last_affected?: string }>;
const record = (ecosystem: string, name: string, ranges: Events[], versions: string[] = [], extra: Record<string, unknown> = {}): OsvRecord =>
  parseRecord({
    id: 'GHSA-xxxx-yyyy-zzzz',
    summary: 'Something bad',
    aliases: ['CVE-2024-1'],
    affected: [{ package: { ecosystem, name }, versions, ranges: ranges.map((events) => ({ type: 'ECOSYSTEM', events })) }],
    ...extra
  }) as OsvRecord;
const py = (name: string, version: string): InstalledVersion => ({ name, version, ecosystem: 'PyPI' });
const npm = (name: string, version: string): InstalledVersion => ({ name, version, ecosystem: 'npm' });

describe('version order per ecosystem', () => {
  test.each<[AuditEcosystem, string, string, number | undefined]>([
    ['PyPI', '3.1.4', '3.1.10', -1],
    ['PyPI', '1.0a1', '1.0', -1],
    ['PyPI', '1.0.post1', '1.0', 1],
    ['PyPI', '2.0', '2.0.0', 0],
    ['PyPI', '1!0.1', '2.0', 1],
    ['npm', '1.2.3', '1.10.0', -1],
    ['npm', '1.0.0-beta.2', '1.0.0', -1],
    ['npm', 'v2.0.0', '2.0.0', 0],
    ['PyPI', 'not a version', '1.0', undefined],
    ['npm', 'latest', '1.0.0', undefined]
  ])('%s %s vs %s → %s', (ecosystem, a, b, expected) => {
    expect(compareVersions(ecosystem, a, b)).toBe(expected);
  });

  test.each<[AuditEcosystem, string, string]>([
    ['PyPI', 'Flask_SQLAlchemy', 'flask-sqlalchemy'],
    ['PyPI', 'zope.interface', 'zope-interface'],
    ['npm', '@Scope/Pkg', '@Scope/Pkg']
  ])('%s name %s → %s', (ecosystem, name, expected) => expect(normalizeName(ecosystem, name)).toBe(expected));
});

describe('affects and the first fixed version', () => {
  test.each<[string, OsvRecord, InstalledVersion, boolean, string | undefined]>([
    ['inside introduced..fixed', record('PyPI', 'flask', [[{ introduced: '0' }, { fixed: '2.2.5' }]]), py('Flask', '2.0.0'), true, '2.2.5'],
    ['fixed older than installed', record('PyPI', 'flask', [[{ introduced: '0' }, { fixed: '1.0' }]]), py('flask', '2.0.0'), false, undefined],
    ['at the fixed version', record('PyPI', 'flask', [[{ introduced: '0' }, { fixed: '2.0.0' }]]), py('flask', '2.0.0'), false, undefined],
    ['before introduced', record('PyPI', 'flask', [[{ introduced: '3.0' }, { fixed: '3.1' }]]), py('flask', '2.0.0'), false, '3.1'],
    [
      'lowest fix above across ranges',
      record('PyPI', 'flask', [
        [{ introduced: '0' }, { fixed: '1.0' }, { introduced: '2.0' }, { fixed: '2.3.1' }],
        [{ introduced: '2.0' }, { fixed: '2.2.9' }]
      ]),
      py('flask', '2.1.0'),
      true,
      '2.2.9'
    ],
    ['last_affected includes', record('npm', 'lodash', [[{ introduced: '0' }, { last_affected: '4.17.20' }]]), npm('lodash', '4.17.20'), true, undefined],
    ['after last_affected', record('npm', 'lodash', [[{ introduced: '0' }, { last_affected: '4.17.20' }]]), npm('lodash', '4.17.21'), false, undefined],
    ['listed version', record('npm', 'minimist', [], ['1.2.5']), npm('minimist', '1.2.5'), true, undefined],
    ['withdrawn', record('npm', 'minimist', [], ['1.2.5'], { withdrawn: '2024-01-01T00:00:00Z' }), npm('minimist', '1.2.5'), false, undefined],
    ['another package', record('npm', 'minimist', [[{ introduced: '0' }]]), npm('lodash', '1.0.0'), false, undefined],
    ['another ecosystem', record('npm', 'six', [[{ introduced: '0' }]]), py('six', '1.0.0'), false, undefined],
    ['unorderable: trust the database', record('PyPI', 'x', [[{ introduced: 'weird' }]]), py('x', '1.0'), true, undefined],
    ['prerelease fixed above', record('npm', 'a', [[{ introduced: '0' }, { fixed: '2.0.0-rc.1' }]]), npm('a', '1.9.0'), true, '2.0.0-rc.1']
  ])('%s', (_name, rec, pkg, affected, fixed) => {
    expect(affects(rec, pkg)).toBe(affected);
    expect(firstFixed(rec, pkg)).toBe(fixed);
  });

  test('property: the suggested fix is above the installed version and no listed fix between them', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const version = (): string => `${Math.floor(next() * 4)}.${Math.floor(next() * 4)}.${Math.floor(next() * 4)}`;
    for (let round = 0; round < 500; round += 1) {
      const ecosystem = next() < 0.5 ? 'PyPI' : 'npm';
      const ranges: Events[] = Array.from({ length: 1 + Math.floor(next() * 3) }, () => [{ introduced: next() < 0.3 ? '0' : version() }, { fixed: version() }]);
      const pkg: InstalledVersion = { name: 'p', version: version(), ecosystem };
      const fixes = ranges.flat().flatMap((e) => (e.fixed ? [e.fixed] : []));
      const gt = (a: string, b: string): boolean => (ecosystem === 'PyPI' ? pep440.gt(a, b) : semver.gt(a, b));
      const fixed = firstFixed(record(ecosystem, 'p', ranges), pkg);
      const above = fixes.filter((f) => gt(f, pkg.version));
      if (above.length === 0) expect(fixed).toBeUndefined();
      else {
        expect(fixed).toBeDefined();
        expect(gt(fixed as string, pkg.version)).toBe(true);
        expect(above.some((f) => gt(fixed as string, f))).toBe(false);
      }
    }
  });
});

describe('severity', () => {
  test.each<[string, Record<string, unknown>, string | undefined]>([
    ['named by the database', { database_specific: { severity: 'MODERATE' } }, 'moderate'],
    ['MEDIUM is moderate', { database_specific: { severity: 'MEDIUM' } }, 'moderate'],
    ['CVSS 3.1 vector', { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] }, 'critical'],
    ['CVSS 3.1 medium', { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N' }] }, 'moderate'],
    ['CVSS 4.0 vector', { severity: [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' }] }, 'critical'],
    ['garbage vector', { severity: [{ type: 'CVSS_V3', score: 'nonsense' }] }, undefined],
    ['nothing', {}, undefined]
  ])('%s', (_name, extra, expected) => {
    expect(record('PyPI', 'x', [], [], extra).severity).toBe(expected);
  });

  test.each<[number, AuditSeverity | undefined]>([
    [0, undefined],
    [0.1, 'low'],
    [3.9, 'low'],
    [4, 'moderate'],
    [6.9, 'moderate'],
    [7, 'high'],
    [8.9, 'high'],
    [9, 'critical'],
    [10, 'critical']
  ])('score %s → %s', (score, rating) => expect(ratingOf(score)).toBe(rating));

  test('a CVSS 3.1 base score', () => expect(cvssBaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe(9.8));

  test.each<[AuditSeverity | undefined, AuditSeverity | 'none', boolean]>([
    ['moderate', 'none', false],
    ['critical', 'none', false],
    ['moderate', 'moderate', true],
    ['high', 'moderate', true],
    ['low', 'moderate', false],
    [undefined, 'low', true],
    [undefined, 'moderate', false]
  ])('%s trips audit-level %s: %s', (severity, level, trips) => expect(tripsLevel(severity, level)).toBe(trips));
});

describe('records and batch answers from untrusted JSON', () => {
  test.each([null, [], 'x', {}, { id: 3 }, { id: '' }])('%j is no record', (json) => expect(parseRecord(json)).toBeUndefined());

  test('a record with odd fields keeps what it can read', () => {
    const rec = parseRecord({ id: 'PYSEC-1', details: 'First line\nmore', aliases: ['CVE-1', 2], affected: [{ package: 5, ranges: 'x' }, 'y'] });
    expect(rec).toEqual({
      id: 'PYSEC-1',
      summary: 'First line',
      aliases: ['CVE-1'],
      severity: undefined,
      affected: [{ name: '', ecosystem: '', versions: [], ranges: [] }],
      withdrawn: false
    });
  });

  test.each([
    ['{"results":[{"vulns":[{"id":"A-1"},{"id":"B-2"}]},{}]}', 2, [{ ids: ['A-1', 'B-2'] }, { ids: [] }]],
    ['{"results":[{"vulns":[{"id":"A-1"}],"next_page_token":"t1"}]}', 1, [{ ids: ['A-1'], nextPageToken: 't1' }]],
    ['{"results":[{"vulns":[{"id":"../../x"},{"nope":1}]}]}', 1, [{ ids: [] }]]
  ])('%s', (body, expected, answers) => expect(parseBatch(body, expected)).toEqual(answers));

  test.each([
    ['<html>', 1],
    ['{"results":[]}', 1],
    ['{}', 1],
    ['null', 1]
  ])('%s throws', (body, expected) => expect(() => parseBatch(body, expected)).toThrow());

  test('queries in chunks of at most 1,000, with page tokens', () => {
    const sizes = chunks(Array.from({ length: 2501 }, (_, i) => i)).map((c) => c.length);
    expect(sizes).toEqual([1000, 1000, 501]);
    expect(JSON.parse(batchBody([{ pkg: py('flask', '2.0'), pageToken: 'p' }, { pkg: npm('a', '1.0.0') }]))).toEqual({
      queries: [
        { package: { name: 'flask', ecosystem: 'PyPI' }, version: '2.0', page_token: 'p' },
        { package: { name: 'a', ecosystem: 'npm' }, version: '1.0.0' }
      ]
    });
  });
});

test.each([
  [['GHSA-XXXX-YYYY-ZZZZ'], true],
  [['CVE-2024-1'], true],
  [['CVE-2024-2'], false],
  [[], false]
])('audit-ignore %j ignores: %s', (ignore, ignored) => {
  expect(isIgnored({ id: 'GHSA-xxxx-yyyy-zzzz', aliases: ['CVE-2024-1'] }, ignore)).toBe(ignored);
});
