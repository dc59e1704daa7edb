// Small rules every ecosystem follows the same way: user-given commands, custom test and lint plans.
import type { DependencyFile } from '../cache-key.js';
import { parseLineFindings } from '../reports/findings.js';
import type { Command, LintPlan, ProjectFiles, TestPlan } from './ecosystem.js';
import { withReportOptions, type KnownRunnerOptions } from './known-runners.js';

export const COVERAGE_OFF = 'coverage is off (input `coverage: false`)';

/** A command the user wrote (install-command, test-command, lint-command), already split into words. */
export function userCommand([command, ...args]: readonly string[]): Command {
  return { command, args };
}

/**
 * `test-command` (one tier of it) replaces the detected runner; its reports are the `test-report` globs
 * and, for a runner Slipway knows (`known`), the reports of the options it adds.
 */
export function customTestPlan(testCommand: readonly string[], reportPatterns: string[], known?: KnownRunnerOptions): TestPlan {
  const withReports = known ? withReportOptions(testCommand, known) : undefined;
  if (withReports) {
    const { runner, junit, jestJson, coverageXml } = withReports.reports;
    return {
      runner,
      commands: [userCommand(withReports.command)],
      junit,
      jestJson,
      coverageXml,
      reportPatterns,
      coverageNote: coverageXml ? undefined : `coverage is measured for this ${runner} command only with the detected test command's tools`,
      notes: []
    };
  }
  return {
    runner: 'custom',
    commands: [userCommand(testCommand)],
    junit: [],
    reportPatterns,
    coverageNote: 'coverage is measured only with the detected test command; a custom test-command reports its own',
    notes: []
  };
}

/** `lint-command` replaces the detected linter; findings are read from `file:line:col: message` lines. */
export function customLintPlan(lintCommand: readonly string[]): LintPlan {
  return { linter: 'custom', command: userCommand(lintCommand), okExitCodes: [0, 1], parse: parseLineFindings };
}

/** The last line of a program's output (where probes print their answer). */
export function lastLine(output: string): string {
  return output.trim().split('\n').pop() ?? '';
}

/** The files among `paths` that exist, with their contents, for the cache key. */
export function readKeyFiles(files: ProjectFiles, paths: readonly string[]): DependencyFile[] {
  return paths.flatMap((path) => {
    const content = files.read(path);
    return content === undefined ? [] : [{ path, content }];
  });
}

/** Sorts by `name`, then `version`, in code point order (the same on every machine). */
export function byName<T extends { name: string; version?: string }>(a: T, b: T): number {
  const key = (item: T): string => `${item.name}\0${item.version ?? ''}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}
