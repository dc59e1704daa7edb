// Audit stage: the installed packages (exact versions) checked against an OSV database. Findings are
// warnings, annotated where the package is declared; only `audit-level` makes them fail the run. A
// database that cannot be asked is one warning and no failure.
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import type { Ecosystem, Environment, InstalledPackage, ProjectFiles } from '../ecosystems/ecosystem.js';
import { projectFiles } from '../ecosystems/project-files.js';
import type { StageResult, Vulnerability } from '../model.js';
import { declaredAt, lineNaming, npmDirect, npmPulledInBy, pulledInBy, type Manifest } from '../reports/declared.js';
import { affects, firstFixed, isIgnored, tripsLevel, type InstalledVersion, type OsvRecord } from '../reports/osv.js';
import { toRepoPath } from '../reports/paths.js';
import { OsvClient, type OsvClientOptions } from './osv-client.js';

export interface AuditOutcome {
  stage: StageResult;
  /** Undefined when the database could not be asked. */
  vulnerabilities?: Vulnerability[];
}

export async function runAudit(
  config: Config,
  context: RunContext,
  ports: Ports,
  ecosystem: Ecosystem,
  environment: Environment,
  client: Pick<OsvClientOptions, 'budgetMs' | 'sleep'> = {}
): Promise<AuditOutcome> {
  const started = Date.now();
  const done = (status: StageResult['status'], headline: string, vulnerabilities?: Vulnerability[], details?: string[]): AuditOutcome => ({
    stage: { name: 'audit', status, durationMs: Date.now() - started, headline, details },
    vulnerabilities
  });
  let packages: InstalledPackage[];
  try {
    packages = ecosystem.listInstalled(environment, ports.files);
  } catch (error) {
    // The audit never fails a run for its own trouble: a warning, and the run goes on.
    const why = error instanceof Error ? error.message : String(error);
    ports.reporter.warning(`Vulnerability audit skipped: the installed packages could not be listed (${why}).`, { title: 'Vulnerability audit' });
    return done('warning', 'installed packages unknown: not audited', undefined, [why]);
  }
  let found: Map<InstalledPackage, OsvRecord[]>;
  try {
    found = await new OsvClient({ url: config.auditUrl, http: ports.http, ...client }).advisories(packages);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    ports.reporter.warning(`Vulnerability audit skipped: the database at ${config.auditUrl} could not be asked (${why}).`, { title: 'Vulnerability audit' });
    return done('warning', 'database unreachable: not audited', undefined, [why]);
  }
  const project = projectFiles(ports.files, config.workingDirectory);
  const manifests = manifestsOf(ecosystem.name, project);
  const lock = ecosystem.name === 'node' ? project.read('package-lock.json') : undefined;
  const direct =
    ecosystem.name === 'node'
      ? npmDirect(project.read('package.json'))
      : packages.filter((p) => manifests.some((m) => lineNaming(p.ecosystem, p.name, m) !== undefined)).map((p) => p.name);
  const requires = new Map(packages.map((p) => [p.name, p.requires ?? []]));
  /** For a package no manifest names: the direct dependency pulling it in (package-lock.json, else the installed packages' own requirements). */
  const viaOf = (pkg: InstalledVersion): string | undefined => {
    if (direct.includes(pkg.name)) return undefined;
    const fromGraph = (): string | undefined => pulledInBy((name) => requires.get(name) ?? [], direct, pkg.name);
    return pkg.ecosystem === 'npm' ? (npmPulledInBy(lock, direct, pkg.name) ?? fromGraph()) : fromGraph();
  };
  const repoPath = (path: string): string => toRepoPath(path, { projectRoot: config.workingDirectory, repositoryRoot: context.repositoryRoot });

  let ignored = 0;
  const vulnerabilities: Vulnerability[] = [];
  for (const [pkg, records] of found) {
    for (const record of records.filter((r) => affects(r, pkg))) {
      if (isIgnored(record, config.auditIgnore)) {
        ignored += 1;
        continue;
      }
      const where = declaredAt(pkg.ecosystem, pkg.name, manifests, viaOf(pkg));
      vulnerabilities.push({
        id: record.id,
        aliases: record.aliases,
        summary: record.summary,
        severity: record.severity,
        package: pkg.name,
        version: pkg.version,
        fixed: firstFixed(record, pkg),
        ...(where ? { path: repoPath(where.path), line: where.line, via: where.via } : {})
      });
    }
  }
  const ignoredNote = ignored > 0 ? ` (${ignored} ignored)` : '';
  if (vulnerabilities.length === 0) return done('success', `no known vulnerabilities in ${plural(packages.length, 'package')}${ignoredNote}`, []);
  const tripping = vulnerabilities.filter((v) => tripsLevel(v.severity, config.auditLevel));
  const headline = `${plural(vulnerabilities.length, 'known vulnerability', 'known vulnerabilities')} in ${plural(new Set(vulnerabilities.map((v) => v.package)).size, 'package')}${ignoredNote}`;
  if (tripping.length > 0) {
    return done(
      'failure',
      `${headline}, ${tripping.length} at or above audit-level ${config.auditLevel}`,
      vulnerabilities,
      tripping.map(describeVulnerability)
    );
  }
  return done('warning', headline, vulnerabilities);
}

/** The files that declare dependencies, in the order a finding looks for its line. */
function manifestsOf(ecosystem: Ecosystem['name'], project: ProjectFiles): Manifest[] {
  const names =
    ecosystem === 'node'
      ? ['package.json']
      : [
          ...project
            .list('.')
            .filter((name) => /^requirements.*\.(?:txt|in)$/i.test(name))
            .sort(),
          'pyproject.toml',
          'setup.cfg'
        ];
  return names.flatMap((path) => {
    const text = project.read(path);
    return text === undefined ? [] : [{ path, text }];
  });
}

/** `GHSA-…: summary (flask 2.0.0, upgrade to 3.1.4)` */
export function describeVulnerability(v: Vulnerability): string {
  const upgrade = v.fixed ? `upgrade ${v.package} to ${v.fixed}` : 'no fixed version known';
  const severity = v.severity ? `, ${v.severity}` : '';
  const via = v.via ? `, pulled in by ${v.via}` : '';
  return `${v.id}${severity}: ${v.summary || 'no summary'} — ${v.package} ${v.version} installed${via}; ${upgrade}`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
