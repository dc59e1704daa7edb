// Version order per ecosystem, as the vulnerability database means it: PEP 440 for PyPI, semver for
// npm. Both from well-kept libraries; undefined when either version cannot be read that way.
import * as pep440 from '@renovatebot/pep440';
import semver from 'semver';

export type AuditEcosystem = 'PyPI' | 'npm';

/** Negative, zero or positive as `a` sorts before, with or after `b`; undefined when not comparable. */
export function compareVersions(ecosystem: AuditEcosystem, a: string, b: string): number | undefined {
  if (ecosystem === 'PyPI') {
    if (!pep440.valid(a) || !pep440.valid(b)) return undefined;
    return Math.sign(pep440.compare(a, b));
  }
  const left = semver.valid(a, { loose: true });
  const right = semver.valid(b, { loose: true });
  if (!left || !right) return undefined;
  return semver.compare(left, right, { loose: true });
}

/** A package name as the ecosystem compares names: PEP 503 for PyPI, exact for npm. */
export function normalizeName(ecosystem: AuditEcosystem, name: string): string {
  return ecosystem === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
}
