// What a notification says, decided from the run's Report: which event it is (one a run), its first
// line, and the facts under it. Pure; every format renders this one Notice (render.ts).
import type { Report } from '../model.js';
import type { NotifyEvent } from './targets.js';

/** `scheduled`: a scheduled run's command output, delivered whatever `notify-on` says. */
export type NoticeKind = NotifyEvent | 'scheduled';

/** The previous run's result on this workflow, job and branch; undefined when unknown. */
export type PreviousResult = 'success' | 'failure' | undefined;

export interface FailingTest {
  name: string;
  file?: string;
  line?: number;
  message?: string;
}

export interface Notice {
  kind: NoticeKind;
  /** What happened, first: "❌ acme/shop main failed: 1 test failed". */
  headline: string;
  repository: string;
  /** Branch or tag name (the ref without refs/heads/ or refs/tags/). */
  ref: string;
  sha: string;
  actor?: string;
  result: Report['result'];
  stages: { name: string; status: string; headline: string }[];
  /** The first failing tests (at most FAILING_SHOWN) and how many there are in all. */
  failingTests: FailingTest[];
  failingCount: number;
  coverage?: number;
  image?: string;
  deployUrl?: string;
  runUrl?: string;
  /** A scheduled command's output, its last characters; `cut` when the start was left out. */
  output?: { command: string; text: string; cut: boolean };
}

export const FAILING_SHOWN = 5;
export const OUTPUT_CHARS = 3000;

/**
 * The one event a run announces, the most telling first: a rollback is a failure that says more, and
 * a recovery is a success that says more. Undefined when `notifyOn` asks for none that applies. A
 * scheduled command's output is always delivered (that is what the command is for).
 */
export function chooseKind(
  facts: { result: Report['result']; rolledBack?: boolean; deployed?: boolean; previous: PreviousResult; scheduledOutput: boolean },
  notifyOn: readonly NotifyEvent[]
): NoticeKind | undefined {
  const applies: NotifyEvent[] = [];
  if (facts.rolledBack) applies.push('rollback');
  if (facts.result === 'failure') applies.push('failure');
  if (facts.result === 'success' && facts.previous === 'failure') applies.push('recovery');
  if (facts.deployed) applies.push('deploy');
  if (facts.result === 'success') applies.push('success');
  const chosen = applies.find((event) => notifyOn.includes(event));
  if (chosen) return chosen;
  return facts.scheduledOutput ? 'scheduled' : undefined;
}

/** The last OUTPUT_CHARS characters of a command's output (the end says how it went). */
export function boundedOutput(text: string): { text: string; cut: boolean } {
  const trimmed = text.replace(/\s+$/, '');
  if (trimmed.length <= OUTPUT_CHARS) return { text: trimmed, cut: false };
  return { text: trimmed.slice(-OUTPUT_CHARS), cut: true };
}

export interface NoticeFacts {
  kind: NoticeKind;
  report: Report;
  event: { repository: string; ref: string; sha: string; actor?: string; runUrl?: string };
  deployUrl?: string;
  output?: { command: string; text: string };
}

export function buildNotice({ kind, report, event, deployUrl, output }: NoticeFacts): Notice {
  const ref = event.ref.replace(/^refs\/(heads|tags)\//, '');
  const where = [event.repository || 'the project', ref].filter(Boolean).join(' ');
  const failing = (report.tests?.cases ?? []).filter((c) => c.outcome === 'failed' || c.outcome === 'error');
  return {
    kind,
    headline: headlineOf(kind, where, report, output?.command),
    repository: event.repository,
    ref,
    sha: event.sha,
    actor: event.actor,
    result: report.result,
    stages: report.stages.map(({ name, status, headline }) => ({ name, status, headline })),
    failingTests: failing.slice(0, FAILING_SHOWN).map(({ name, file, line, message }) => ({ name, file, line, message })),
    failingCount: failing.length,
    coverage: report.coverage?.percent,
    image: report.image?.image,
    deployUrl: report.deployed || report.rolledBack ? deployUrl : undefined,
    runUrl: event.runUrl,
    output: output ? { command: output.command, ...boundedOutput(output.text) } : undefined
  };
}

function headlineOf(kind: NoticeKind, where: string, report: Report, command: string | undefined): string {
  const deploy = report.stages.find((stage) => stage.name === 'deploy');
  switch (kind) {
    case 'failure':
      return `❌ ${where} failed: ${whyFailed(report)}`;
    case 'rollback':
      return `↩ ${where} ${deploy?.headline.startsWith('rolled back') ? deploy.headline : `rolled back: ${deploy?.headline ?? 'the deploy failed'}`}`;
    case 'recovery':
      return `✅ ${where} recovered: ${passed(report)}`;
    case 'deploy':
      return `🚀 ${where} deployed ${report.image?.image ?? ''}`.trimEnd();
    case 'success':
      return `✅ ${where} passed: ${passed(report)}`;
    case 'scheduled':
      return `📋 ${where}: ${command ?? 'scheduled command'} ran`;
  }
}

function whyFailed(report: Report): string {
  const failed = report.tests?.failed ?? 0;
  if (failed > 0) return `${failed} test${failed === 1 ? '' : 's'} failed`;
  const stage = report.stages.find((s) => s.status === 'failure');
  return stage ? `${stage.name}: ${stage.headline}` : 'a stage failed';
}

function passed(report: Report): string {
  const count = report.tests?.passed;
  return count === undefined ? 'all stages passed' : `${count} test${count === 1 ? '' : 's'} passed`;
}
