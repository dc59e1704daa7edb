// One typed, validated Config from the action's inputs or the CLI's flags. Every problem with a value
// is reported here, once, naming the input and how to fix it; nothing later re-checks raw strings.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { splitCommands } from './command-line.js';
import {
  AUDIT_LEVELS,
  checkImage,
  dependencyFiles,
  environmentName,
  httpUrl,
  isHttpUrl,
  isLinkLocal,
  oneOf,
  smokePath,
  type AuditLevel
} from './config-checks.js';
import { previewConfig, type PreviewConfig } from './config-preview.js';
import { shardConfig, type ShardConfig } from './config-shard.js';
import { ConfigError, INPUT_DEFAULTS, MULTI_LINE_INPUTS, SECRET_INPUTS, type InputName, type InputReader } from './inputs.js';
import { isAddress, parseNotifyOn, parseTarget, smtpUrlProblem, type NotifyEvent, type NotifyTarget } from './notify/targets.js';
import { registryOf } from './stages/image-name.js';
import { parseBuildArgs, type BuildArg } from './stages/image-plan.js';
import { deployBranchProblem } from './stages/ship-plan.js';

export type Language = 'auto' | 'python' | 'node';

export interface Config extends ShardConfig {
  /** Absolute project root. */
  workingDirectory: string;
  language: Language;
  python: string;
  /** Replaces the detected install: one command a line. */
  installCommands?: string[][];
  cache: boolean;
  /** Absolute paths of the files whose checksum keys the cache, when the user chose them. */
  cacheDependencyFiles?: string[];
  cacheVersion: string;
  /** Replaces the detected test command: one tier a line, run in order, stopping at the first failing tier. */
  testCommand?: string[][];
  testReportPatterns: string[];
  coverage: boolean;
  coverageMin: number;
  lint: boolean;
  lintCommand?: string[];
  lintBlocking: boolean;
  image?: string;
  registryUsername?: string;
  registryPassword?: string;
  dockerfile: string;
  context: string;
  buildArgs: BuildArg[];
  /** Branch names or globs, one an item. */
  deployBranches: string[];
  buildOnPullRequest: boolean;
  deployHook?: string;
  deployHookImageParam?: string;
  healthUrl?: string;
  healthTimeoutSeconds: number;
  healthExpect?: string;
  rollback: boolean;
  githubToken?: string;
  /** The GitHub Deployment's environment name. */
  environment: string;
  environmentUrl?: string;
  /** On pull requests: one comment kept up to date. */
  comment: boolean;
  patchCoverageMin: number;
  audit: boolean;
  auditUrl: string;
  /** Fail at or above this severity; 'none' never fails. */
  auditLevel: AuditLevel;
  /** Advisory ids (and aliases) to drop, upper-cased. */
  auditIgnore: string[];
  /** Probe path of the smoke test; undefined: no smoke test. */
  smokePath?: string;
  smokeTimeoutSeconds: number;
  /** workflow_dispatch: deploy this image reference without building. */
  deployImage?: string;
  /** Same-repository pull requests: a preview deployed (and destroyed on close) through a signed hook. */
  preview?: PreviewConfig;
  notify: NotifyTarget[];
  notifyOn: NotifyEvent[];
  /** smtp[s]://user:password@host:port, for mail targets. */
  smtpUrl?: string;
  mailFrom?: string;
  /** On schedule and workflow_dispatch, after green tests: its output goes to `notify`. */
  scheduledCommand?: string[];
}

const TRUE_VALUES = ['true', 'True', 'TRUE', 'yes', 'on', '1'];
const FALSE_VALUES = ['false', 'False', 'FALSE', 'no', 'off', '0'];

/**
 * Builds the Config. `read` returns the raw value ('' when not given; defaults are applied here,
 * so the CLI and the action agree). `base` is what a relative working-directory is relative to.
 * `checkout: false` (a closed pull request's preview destroy needs no checkout) leaves out the
 * checks of files the run would read: the project folder, the Dockerfile, the dependency files.
 */
export async function buildConfig(read: InputReader, base: string, { checkout = true }: { checkout?: boolean } = {}): Promise<Config> {
  const value = (name: InputName): string => {
    const raw = read(name).trim();
    // A line break in a single value would reach the log as a second line (a forged workflow
    // command) or a header; it is never meant.
    if (/[\r\n]/.test(raw) && !MULTI_LINE_INPUTS.includes(name)) {
      const shown = SECRET_INPUTS.includes(name) ? 'the value given (a secret, not shown)' : `"${raw.split(/\r?\n|\r/)[0]}…"`;
      throw new ConfigError(name, `${shown} spans several lines; give one value on one line.`);
    }
    return raw === '' ? INPUT_DEFAULTS[name] : raw;
  };
  const optional = (name: InputName): string | undefined => value(name) || undefined;
  const lines = (name: InputName): string[] =>
    value(name)
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));

  const bool = (name: InputName): boolean => {
    const raw = value(name);
    if (TRUE_VALUES.includes(raw)) return true;
    if (FALSE_VALUES.includes(raw)) return false;
    throw new ConfigError(name, `expected true or false, got "${raw}".`);
  };

  const number = (name: InputName, { min, max }: { min: number; max: number }): number => {
    const raw = value(name);
    const parsed = Number(raw);
    if (!/^-?\d+(\.\d+)?$/.test(raw) || !Number.isFinite(parsed)) {
      throw new ConfigError(name, `expected a number from ${min} to ${max}, got "${raw}".`);
    }
    if (parsed < min || parsed > max) {
      throw new ConfigError(name, `expected a number from ${min} to ${max}, got ${parsed}.`);
    }
    return parsed;
  };

  const command = (name: InputName): string[] | undefined => {
    const commands = commandLines(name);
    if (!commands) return undefined;
    if (commands.length > 1) {
      throw new ConfigError(name, 'give one command on one line (use `bash -c "…"` to run several).');
    }
    return commands[0];
  };

  const commandLines = (name: InputName): string[][] | undefined => {
    const raw = optional(name);
    if (!raw) return undefined;
    try {
      return splitCommands(raw);
    } catch (error) {
      throw new ConfigError(name, `${(error as Error).message} in "${raw}"; close the quote or escape it with a backslash.`);
    }
  };

  const workingDirectory = resolve(base, value('working-directory'));
  if (checkout && (!existsSync(workingDirectory) || !statSync(workingDirectory).isDirectory())) {
    throw new ConfigError(
      'working-directory',
      `"${value('working-directory')}" is not a directory (looked for ${workingDirectory}); give the project's folder relative to the repository root.`
    );
  }

  const language = value('language');
  if (!['auto', 'python', 'node'].includes(language)) {
    throw new ConfigError('language', `expected auto, python or node, got "${language}".`);
  }

  const cacheVersion = value('cache-version');
  if (!/^[A-Za-z0-9._-]{1,32}$/.test(cacheVersion)) {
    throw new ConfigError('cache-version', `use letters, digits, ".", "_" or "-" (at most 32), got "${cacheVersion}".`);
  }

  const buildArgs = parseBuildArgs(value('build-args'));
  const image = optional('image');
  if (image) checkImage(image, workingDirectory, { dockerfile: value('dockerfile'), context: value('context') }, checkout);
  const [registryUsername, registryPassword] = [optional('registry-username'), optional('registry-password')];
  if (image && Boolean(registryUsername) !== Boolean(registryPassword)) {
    const missing = registryUsername ? 'registry-password' : 'registry-username';
    const given = registryUsername ? 'registry-username' : 'registry-password';
    throw new ConfigError(missing, `is empty, but it is needed with \`${given}\` to log in to ${registryOf(image)}; give both or neither.`);
  }
  const deployBranches = lines('deploy-branches');
  for (const line of deployBranches) {
    const problem = deployBranchProblem(line);
    if (problem) throw new ConfigError('deploy-branches', problem);
  }

  for (const name of ['deploy-hook', 'health-url', 'environment-url'] as const) {
    const url = optional(name);
    // The hook URL is a secret: never echo it back.
    const shown = name === 'deploy-hook' ? 'the value given' : `"${url}"`;
    if (url && !isHttpUrl(url)) throw new ConfigError(name, `${shown} is not an http(s) URL.`);
    if (url && isLinkLocal(new URL(url).hostname)) {
      throw new ConfigError(
        name,
        `${shown} points at a link-local address (169.254.0.0/16, fe80::/10: cloud metadata services); give your service's own address.`
      );
    }
  }

  const notify = lines('notify').map((line, index) => {
    const target = parseTarget(line);
    // The line is a secret: the problem names its position, never its text.
    if ('problem' in target) throw new ConfigError('notify', `target ${index + 1} ${target.problem}.`);
    return target;
  });
  const notifyOn = parseNotifyOn(value('notify-on'));
  if ('problem' in notifyOn) throw new ConfigError('notify-on', notifyOn.problem);
  const smtpUrl = optional('smtp-url');
  const smtpProblem = smtpUrl === undefined ? undefined : smtpUrlProblem(smtpUrl);
  if (smtpProblem) throw new ConfigError('smtp-url', smtpProblem);
  if (!smtpUrl && notify.some((target) => target.kind === 'mail')) {
    throw new ConfigError('smtp-url', 'is empty, but `notify` has a mailto: target; give the mail server as smtp://user:password@host:587.');
  }
  const mailFrom = optional('mail-from');
  if (mailFrom && !isAddress(mailFrom.replace(/^.*<(.*)>$/, '$1'))) throw new ConfigError('mail-from', `"${mailFrom}" is not a mail address.`);

  return {
    workingDirectory,
    language: language as Language,
    python: value('python'),
    installCommands: commandLines('install-command'),
    cache: bool('cache'),
    cacheDependencyFiles: checkout ? dependencyFiles(lines('cache-dependency-path'), workingDirectory, base) : undefined,
    cacheVersion,
    testCommand: commandLines('test-command'),
    testReportPatterns: lines('test-report'),
    coverage: bool('coverage'),
    coverageMin: number('coverage-min', { min: 0, max: 100 }),
    lint: bool('lint'),
    lintCommand: command('lint-command'),
    lintBlocking: bool('lint-blocking'),
    image,
    registryUsername,
    registryPassword,
    dockerfile: value('dockerfile'),
    context: value('context'),
    buildArgs,
    deployBranches,
    buildOnPullRequest: bool('build-on-pull-request'),
    deployHook: optional('deploy-hook'),
    deployHookImageParam: optional('deploy-hook-image-param'),
    healthUrl: optional('health-url'),
    healthTimeoutSeconds: number('health-timeout', { min: 1, max: 3600 }),
    healthExpect: optional('health-expect'),
    rollback: bool('rollback'),
    githubToken: read('github-token').trim() || undefined,
    environment: environmentName(value('environment')),
    environmentUrl: optional('environment-url'),
    comment: bool('comment'),
    patchCoverageMin: number('patch-coverage-min', { min: 0, max: 100 }),
    audit: bool('audit'),
    auditUrl: httpUrl('audit-url', value('audit-url')),
    auditLevel: oneOf('audit-level', value('audit-level'), AUDIT_LEVELS),
    auditIgnore: lines('audit-ignore').map((id) => id.toUpperCase()),
    smokePath: smokePath(optional('smoke-path')),
    smokeTimeoutSeconds: number('smoke-timeout', { min: 1, max: 3600 }),
    deployImage: optional('deploy-image'),
    preview: previewConfig({ hook: optional('preview-hook'), secret: optional('preview-hook-secret'), url: optional('preview-url'), image }),
    notify,
    notifyOn,
    smtpUrl,
    mailFrom,
    scheduledCommand: command('scheduled-command'),
    ...shardConfig(optional('shard'), bool('merge-shards'), lines('test-command').length)
  };
}

export type { AuditLevel };
