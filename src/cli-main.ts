// `slipway run [dir]`: the same pipeline on a laptop, with a local cache instead of GitHub's.
// main() is imported by the thin entry `cli.ts`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { localCacheStore } from './adapters/local/cache.js';
import { terminalReporter } from './adapters/local/reporter.js';
import { machinePorts } from './adapters/host.js';
import { nodeHttp } from './adapters/http.js';
import { smtpMailer } from './adapters/mail.js';
import { processRunner } from './adapters/process.js';
import { cleanUpOnCancel } from './cancel.js';
import { buildConfig } from './config.js';
import type { GitEvent, RunContext } from './context.js';
import { SlipwayError } from './errors.js';
import { INPUTS, INPUT_DEFAULTS, INPUT_NAMES, SECRET_INPUTS, type InputName } from './inputs.js';
import { notifySecrets } from './notify/targets.js';
import { outputsOf, runPipeline } from './pipeline.js';
import { projectStateDir } from './project-state.js';
import { Secrets } from './trust/secrets.js';
import { secretsOfUrl } from './stages/deploy-plan.js';
import { thisRunnerImage } from './adapters/runner-image.js';

const BOOLEAN_INPUTS = INPUT_NAMES.filter((name) => ['true', 'false'].includes(INPUT_DEFAULTS[name]));
/** The project folder is the positional `dir`; the CLI calls no GitHub API. */
const FLAG_INPUTS = INPUT_NAMES.filter((name) => name !== 'working-directory' && name !== 'github-token');

/** One flag: its form, then what it means and its default (from the inputs table, as action.yml says). */
function flagHelp(name: (typeof FLAG_INPUTS)[number]): string {
  const { default: fallback, description } = INPUTS[name];
  const form = BOOLEAN_INPUTS.includes(name) ? `--${name} <true|false>, --no-${name}` : `--${name} <value>`;
  const shown = /Default: /.test(description) ? '' : ` Default: ${fallback === '' ? 'none' : fallback}.`;
  return `  ${form}\n      ${description}${shown}`;
}

const USAGE = `Usage: slipway run [dir] [options]

Runs the Slipway pipeline on the project in dir (default: the current folder).

Options (the action's inputs, as flags):
${FLAG_INPUTS.map(flagHelp).join('\n')}
  --cache-dir <dir>
      Where the local cache lives. Default: $XDG_CACHE_HOME/slipway or ~/.cache/slipway.
  --verbose
      Print every stage's full log.
  --help, -h
      This text.

Exit code: 0 when the pipeline succeeds, 1 when it fails, 2 for a bad option.`;

const VALUE_FLAGS = new Set<string>([...INPUT_NAMES, 'cache-dir']);
const ALL_FLAGS = new Set<string>([...VALUE_FLAGS, ...BOOLEAN_INPUTS.map((name) => `no-${name}`), 'verbose', 'help', 'h']);

/**
 * `--health-timeout -1` means the value -1 (parseArgs would take it for an option and refuse it):
 * a value flag takes the next argument as `--name=value`, unless that argument is one of our flags.
 */
function attachValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg === '--') return [...out, ...argv.slice(i)];
    const name = /^--([^=]+)$/.exec(arg)?.[1];
    const flag = next === undefined ? undefined : /^--?([^=]+)/.exec(next)?.[1];
    if (name && VALUE_FLAGS.has(name) && next !== undefined && next.startsWith('-') && next !== '--' && !(flag && ALL_FLAGS.has(flag))) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: attachValues(argv),
      allowPositionals: true,
      options: {
        ...Object.fromEntries(INPUT_NAMES.map((name) => [name, { type: 'string' as const }])),
        ...Object.fromEntries(BOOLEAN_INPUTS.map((name) => [`no-${name}`, { type: 'boolean' as const }])),
        'cache-dir': { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      }
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] !== 'run' || positionals.length > 2) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const flags = values as Record<string, string | boolean | undefined>;
  const secrets = new Secrets();
  const reporter = terminalReporter({ secrets, verbose: Boolean(flags.verbose) });
  const read = (name: InputName): string => {
    if (flags[`no-${name}`]) return 'false';
    const value = flags[name];
    return typeof value === 'string' ? value : '';
  };
  for (const name of SECRET_INPUTS) if (read(name)) reporter.secret(read(name));
  notifySecrets(read('notify'), read('smtp-url')).forEach((secret) => reporter.secret(secret));
  if (read('preview-hook')) secretsOfUrl(read('preview-hook')).forEach((secret) => reporter.secret(secret));

  const cacheDir = resolve(String(flags['cache-dir'] ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'slipway')));
  const projectDir = resolve(positionals[1] ?? '.');
  if (!existsSync(projectDir) || !statSync(projectDir).isDirectory()) {
    reporter.error(`slipway run: ${positionals[1]} is not a directory; give the project's folder.`);
    return 2;
  }
  let tempDir: string | undefined;
  const runner = processRunner(process.env, () => secrets.values());
  const stopWatching = cleanUpOnCancel(
    runner.runId,
    () => tempDir,
    (line) => process.stderr.write(`${line}\n`)
  );
  try {
    const config = await buildConfig(read, projectDir);
    mkdirSync(join(cacheDir, 'projects'), { recursive: true });
    tempDir = mkdtempSync(join(cacheDir, 'run-'));
    const context: RunContext = {
      repositoryRoot: gitRoot(config.workingDirectory) ?? config.workingDirectory,
      stateDir: projectStateDir(join(cacheDir, 'projects'), config.workingDirectory),
      tempDir,
      os: process.platform,
      arch: process.arch,
      image: thisRunnerImage(),
      event: eventFromGit(config.workingDirectory, config.deployImage !== undefined),
      inActions: false
    };
    reporter.info(`slipway: ${config.workingDirectory}`);
    const report = await runPipeline(config, context, {
      runner,
      cache: config.cache ? localCacheStore(join(cacheDir, 'store'), runner, hasZstd() ? 'zstd' : 'gzip') : undefined,
      reporter,
      http: nodeHttp,
      mailer: smtpMailer,
      ...machinePorts(context, config.workingDirectory, process.env)
    });
    for (const [name, value] of Object.entries(outputsOf(report))) reporter.setOutput(name, value);
    await reporter.summary(report);
    return report.result === 'success' ? 0 : 1;
  } catch (error) {
    if (error instanceof SlipwayError) {
      reporter.error(error.message);
      return error.name === 'ConfigError' ? 2 : 1;
    }
    throw error;
  } finally {
    stopWatching();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}

function gitRoot(dir: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The CLI acts as a push of the checked-out commit to its branch or, with `--deploy-image`, as a
 * workflow_dispatch started by the Git user (a manual deploy).
 */
function eventFromGit(dir: string, manual: boolean): GitEvent {
  const git = (...args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const branch = git('rev-parse', '--abbrev-ref', 'HEAD');
  const originHead = git('symbolic-ref', '--short', 'refs/remotes/origin/HEAD');
  return {
    name: manual ? 'workflow_dispatch' : 'push',
    actor: manual ? git('config', 'user.name') || process.env.USER || undefined : undefined,
    ref: branch && branch !== 'HEAD' ? `refs/heads/${branch}` : '',
    sha: git('rev-parse', 'HEAD'),
    defaultBranch: originHead ? originHead.replace(/^origin\//, '') : 'main',
    repository: '',
    serverUrl: ''
  };
}

function hasZstd(): boolean {
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
