// Known vulnerabilities as people read them: the annotation's words and the summary's table.
import { describe, expect, test } from '@jest/globals';
import type { Vulnerability } from '../../src/model.js';
import { remedy, VULNERABILITY_ROWS, vulnerabilityAnnotations, vulnerabilitySection } from '../../src/reports/vulnerabilities.js';

const vuln = (overrides: Partial<Vulnerability> = {}): Vulnerability => ({
  id: 'GHSA-aaaa-bbbb-cccc',
  aliases: ['CVE-2024-1'],
  summary: 'Session cookie disclosure',
  severity: 'high',
  package: 'flask',
  version: '2.0.0',
  fixed: '2.2.5',
  path: 'shop/requirements.txt',
  line: 3,
  ...overrides
});

describe('remedy', () => {
  test.each<[Partial<Vulnerability>, string]>([
    [{}, 'upgrade flask to 2.2.5'],
    [{ fixed: undefined }, 'no fixed version of flask is known yet'],
    [{ package: 'markupsafe', fixed: '2.1.2', via: 'flask' }, 'upgrade markupsafe to 2.1.2 (pulled in by flask)']
  ])('%j → %s', (overrides, text) => expect(remedy(vuln(overrides))).toBe(text));
});

test('an annotation: a warning on the declaring line naming the advisory, the installed and the fixed version', () => {
  expect(vulnerabilityAnnotations([vuln()])).toEqual([
    {
      level: 'warning',
      origin: 'audit',
      path: 'shop/requirements.txt',
      line: 3,
      title: 'GHSA-aaaa-bbbb-cccc (high): flask 2.0.0',
      message: 'GHSA-aaaa-bbbb-cccc: Session cookie disclosure. flask 2.0.0 is installed; upgrade flask to 2.2.5. Also known as CVE-2024-1.'
    }
  ]);
});

describe('the summary table', () => {
  test('nothing found or not audited: no section', () => {
    expect(vulnerabilitySection({ advisories: [] })).toBeUndefined();
    expect(vulnerabilitySection({})).toBeUndefined();
  });

  test('most severe first; text from the database is escaped', () => {
    const section = vulnerabilitySection({
      advisories: [
        vuln({ id: 'L-1', severity: 'low', package: 'a', version: '1.0|x' }),
        vuln({ id: 'C-1', severity: 'critical', summary: '<img src=x> | *boom*', fixed: undefined })
      ]
    });
    const rows = (section ?? '').split('\n').filter((line) => line.startsWith('| `'));
    // Every row has the header's six cells: no pipe from the database splits one.
    expect(rows.map((row) => row.split(/(?<!\\)\|/).length - 2)).toEqual([6, 6]);
    expect(rows).toEqual([
      '| `C-1` | critical | flask | `2.0.0` | — | &lt;img src=x&gt; \\| \\*boom\\* |',
      '| `L-1` | low | a | 1.0\\|x | `2.2.5` | Session cookie disclosure |'
    ]);
  });

  test('past the row limit the rest is counted', () => {
    const many = Array.from({ length: VULNERABILITY_ROWS + 4 }, (_, i) => vuln({ id: `GHSA-${i}` }));
    const section = vulnerabilitySection({ advisories: many }) ?? '';
    expect(section.split('\n').filter((line) => line.startsWith('| `'))).toHaveLength(VULNERABILITY_ROWS);
    expect(section).toContain('| …4 more |');
  });
});
