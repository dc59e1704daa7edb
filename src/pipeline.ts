// Orders the stages, decides what runs, and collects one Report. Knows nothing about where it runs:
// everything outside goes through the ports in `context.ts`.
import type { Config } from './config.js';
import type { Ports, RunContext } from './context.js';
import { detectLanguage } from './ecosystems/detect.js';
import { SlipwayError, describeError } from './errors.js';
import { formatDuration } from './format.js';
import type { Report, StageName, StageResult } from './model.js';
import { diskProjectFiles } from './project-files.js';
import { install } from './stages/install.js';

export async function runPipeline(config: Config, context: RunContext, ports: Ports): Promise<Report> {
  const started = Date.now();
  const report: Report = { result: 'success', durationMs: 0, stages: [], cacheHit: false };
  const record = (stage: StageResult, logLines: readonly string[] = []): void => {
    report.stages.push(stage);
    if (logLines.length > 0) ports.reporter.group(`${stage.name}: ${stage.headline}`, logLines);
    ports.reporter.info(stageLine(stage));
  };

  try {
    detectLanguage(diskProjectFiles(config.workingDirectory), config.language);
    const installed = await install(config, context, ports);
    report.cacheHit = installed.cacheHit;
    report.cacheKey = installed.cacheKey;
    record(installed.stage, installed.log.lines);
  } catch (error) {
    if (!(error instanceof SlipwayError)) throw error;
    record(failedStage('install', started, describeError(error)));
  }

  report.result = report.stages.some((stage) => stage.status === 'failure') ? 'failure' : 'success';
  report.durationMs = Date.now() - started;
  return report;
}

function failedStage(name: StageName, started: number, message: string): StageResult {
  return { name, status: 'failure', durationMs: Date.now() - started, headline: message.split('\n')[0], details: [message] };
}

const STATUS_MARK: Record<StageResult['status'], string> = { success: '✓', failure: '✗', skipped: '–', warning: '!' };

/** `✓ install  3.2s  restored from cache` */
export function stageLine(stage: StageResult): string {
  return `${STATUS_MARK[stage.status]} ${stage.name.padEnd(8)} ${formatDuration(stage.durationMs).padStart(6)}  ${stage.headline}`;
}

/** The step outputs of the contract, from the report. */
export function outputsOf(report: Report): Record<string, string> {
  const outputs: Record<string, string> = {
    'cache-hit': String(report.cacheHit),
    'cache-key': report.cacheKey ?? '',
    result: report.result
  };
  return outputs;
}
