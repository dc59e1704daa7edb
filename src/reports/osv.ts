// The OSV schema as the audit reads it (https://ossf.github.io/osv-schema/): a record read from
// untrusted JSON, whether it affects an installed version, the first fixed version above it, and
// its severity. Pure.
import { CVSS } from '@turingpointde/cvss.js';
import { compareVersions, normalizeName, type AuditEcosystem } from './osv-versions.js';

export const AUDIT_SEVERITIES = ['low', 'moderate', 'high', 'critical'] as const;
export type AuditSeverity = (typeof AUDIT_SEVERITIES)[number];

export interface InstalledVersion {
  name: string;
  version: string;
  ecosystem: AuditEcosystem;
}

interface RangeEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
}

interface Affected {
  name: string;
  ecosystem: string;
  versions: string[];
  ranges: RangeEvent[][];
}

export interface OsvRecord {
  id: string;
  summary: string;
  aliases: string[];
  severity?: AuditSeverity;
  affected: Affected[];
  /** The database took the advisory back: it affects nothing. */
  withdrawn: boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
const objects = (value: unknown): Array<Record<string, unknown>> => (Array.isArray(value) ? value.filter(isObject) : []);

/** A record from `GET /v1/vulns/{id}`; undefined when it is no OSV record. */
export function parseRecord(json: unknown): OsvRecord | undefined {
  if (!isObject(json) || typeof json['id'] !== 'string' || json['id'] === '') return undefined;
  const affected = objects(json['affected']).map((entry): Affected => {
    const pkg = isObject(entry['package']) ? entry['package'] : {};
    const ranges = objects(entry['ranges'])
      .filter((range) => range['type'] === 'ECOSYSTEM' || range['type'] === 'SEMVER')
      .map((range) => objects(range['events']).map(readEvent));
    return { name: String(pkg['name'] ?? ''), ecosystem: String(pkg['ecosystem'] ?? ''), versions: strings(entry['versions']), ranges };
  });
  const summary = typeof json['summary'] === 'string' ? json['summary'] : typeof json['details'] === 'string' ? json['details'].split('\n')[0] : '';
  const withdrawn = typeof json['withdrawn'] === 'string' && json['withdrawn'] !== '';
  return { id: json['id'], summary: summary.trim(), aliases: strings(json['aliases']), severity: severityOf(json), affected, withdrawn };
}

function readEvent(event: Record<string, unknown>): RangeEvent {
  const read = (key: keyof RangeEvent): string | undefined => (typeof event[key] === 'string' ? event[key] : undefined);
  return { introduced: read('introduced'), fixed: read('fixed'), last_affected: read('last_affected') };
}

const NAMED: Record<string, AuditSeverity> = { low: 'low', moderate: 'moderate', medium: 'moderate', high: 'high', critical: 'critical' };

/** `database_specific.severity` when the database names one, else the highest CVSS base score's rating. */
export function severityOf(json: Record<string, unknown>): AuditSeverity | undefined {
  const specific = isObject(json['database_specific']) ? json['database_specific']['severity'] : undefined;
  if (typeof specific === 'string' && NAMED[specific.toLowerCase()]) return NAMED[specific.toLowerCase()];
  const scores = objects(json['severity'])
    .filter((entry) => (entry['type'] === 'CVSS_V3' || entry['type'] === 'CVSS_V4') && typeof entry['score'] === 'string')
    .map((entry) => cvssBaseScore(String(entry['score'])))
    .filter((score): score is number => score !== undefined);
  return scores.length === 0 ? undefined : ratingOf(Math.max(...scores));
}

/** The base score of a CVSS 3.x or 4.0 vector; undefined when it cannot be read. */
export function cvssBaseScore(vector: string): number | undefined {
  try {
    const score = CVSS(vector).getScore();
    return Number.isFinite(score) ? score : undefined;
  } catch {
    return undefined;
  }
}

/** CVSS's qualitative scale: 0.1–3.9 low, 4.0–6.9 medium (moderate), 7.0–8.9 high, 9.0–10 critical. */
export function ratingOf(score: number): AuditSeverity | undefined {
  if (score <= 0) return undefined;
  return score < 4 ? 'low' : score < 7 ? 'moderate' : score < 9 ? 'high' : 'critical';
}

function entriesFor(record: OsvRecord, pkg: InstalledVersion): Affected[] {
  const name = normalizeName(pkg.ecosystem, pkg.name);
  return record.affected.filter((entry) => entry.ecosystem === pkg.ecosystem && normalizeName(pkg.ecosystem, entry.name) === name);
}

/**
 * Whether the record (not withdrawn) affects the installed version: listed in `versions`, or inside a range
 * (introduced ≤ v < fixed, or ≤ last_affected). A range whose versions cannot be ordered counts as
 * affecting (the database was asked about this exact version and answered with the record).
 */
export function affects(record: OsvRecord, pkg: InstalledVersion): boolean {
  if (record.withdrawn) return false;
  return entriesFor(record, pkg).some((entry) => entry.versions.includes(pkg.version) || entry.ranges.some((range) => inRange(range, pkg)));
}

function inRange(events: RangeEvent[], pkg: InstalledVersion): boolean {
  const compare = (version: string): number | undefined => (version === '0' ? -1 : compareVersions(pkg.ecosystem, version, pkg.version));
  let affected = false;
  for (const event of sortEvents(events, pkg.ecosystem)) {
    if (event.introduced !== undefined) {
      const order = compare(event.introduced);
      if (order === undefined) return true;
      if (order <= 0) affected = true;
    }
    for (const [bound, closed] of [
      [event.fixed, false],
      [event.last_affected, true]
    ] as const) {
      if (bound === undefined) continue;
      const order = compare(bound);
      if (order === undefined) return true;
      if (order < 0 || (order === 0 && !closed)) affected = false;
    }
  }
  return affected;
}

/** Events in version order ("0" first); events that cannot be ordered keep their place at the end. */
function sortEvents(events: RangeEvent[], ecosystem: AuditEcosystem): RangeEvent[] {
  const versionOf = (event: RangeEvent): string => event.introduced ?? event.fixed ?? event.last_affected ?? '0';
  return [...events].sort((a, b) => {
    const [left, right] = [versionOf(a), versionOf(b)];
    if (left === '0' || right === '0') return left === right ? 0 : left === '0' ? -1 : 1;
    return compareVersions(ecosystem, left, right) ?? 0;
  });
}

/** The lowest fixed version above the installed one, across every range of the package. */
export function firstFixed(record: OsvRecord, pkg: InstalledVersion): string | undefined {
  const above = entriesFor(record, pkg)
    .flatMap((entry) => entry.ranges.flat())
    .map((event) => event.fixed)
    .filter((fixed): fixed is string => fixed !== undefined && (compareVersions(pkg.ecosystem, fixed, pkg.version) ?? 0) > 0);
  return above.sort((a, b) => compareVersions(pkg.ecosystem, a, b) ?? 0)[0];
}

/** Whether `audit-ignore` (upper-cased ids) names the record or one of its aliases. */
export function isIgnored(record: Pick<OsvRecord, 'id' | 'aliases'>, ignore: readonly string[]): boolean {
  return [record.id, ...record.aliases].some((id) => ignore.includes(id.toUpperCase()));
}

/** Whether a finding trips `audit-level`: at or above it; one of unknown severity trips only `low`. */
export function tripsLevel(severity: AuditSeverity | undefined, level: 'none' | AuditSeverity): boolean {
  if (level === 'none') return false;
  return AUDIT_SEVERITIES.indexOf(severity ?? 'low') >= AUDIT_SEVERITIES.indexOf(level);
}
