// Which lines a pull request changes: from the GitHub API's list of its files, or, when the API is not
// there (a fork's run, no token) or fails, from `git diff` of the checkout when it has the history.
import type { Ports, RunContext } from '../context.js';
import { describeError } from '../errors.js';
import { GitHubApiError } from '../ports.js';
import { changedFilesFromPullRequest, parseGitDiff, type ChangedFile } from '../reports/diff.js';
import type { StageLog } from '../stage-log.js';

export interface ChangedLines {
  files?: ChangedFile[];
  /** Why `files` is undefined. */
  unknown?: string;
  /** The warning to give when the lines were needed: the API failed (not merely absent) and git could not stand in. */
  warning?: string;
}

/**
 * `git diff` arguments from the base commit to the checkout (HEAD): the tree the tests measured, so
 * the new side's line numbers are the coverage report's. On pull_request events that is the merge
 * commit, and the diff holds the pull request's changes alone even when the base branch moved on.
 * The options keep the user's git configuration (external diff tools, colours, prefixes) out.
 */
export function gitDiffArgs(baseSha: string): string[] {
  return ['diff', '--no-ext-diff', '--no-color', '--unified=0', '-M', '--src-prefix=a/', '--dst-prefix=b/', baseSha, 'HEAD'];
}

export async function changedLines(context: RunContext, ports: Pick<Ports, 'github' | 'runner'>, log: StageLog): Promise<ChangedLines> {
  const pullRequest = context.event.pullRequest;
  if (!pullRequest) return { unknown: 'not a pull request' };
  let apiFailure: unknown;
  if (ports.github) {
    try {
      const files = changedFilesFromPullRequest(await ports.github.pullRequestFiles(pullRequest.number));
      log.write(`Changed files: ${files.length}, listed by the GitHub API`);
      return { files };
    } catch (error) {
      apiFailure = error;
      log.write(`Listing the changed files failed: ${describeError(error)}; trying git`);
    }
  }
  const git = await gitDiff(context, ports, pullRequest.baseSha);
  if (git.files) {
    log.write(`Changed files: ${git.files.length}, from git diff ${pullRequest.baseSha.slice(0, 7)}..HEAD`);
    return git;
  }
  const api = apiFailure === undefined ? `no GitHub API (${context.event.untrusted ?? 'no `github-token`'})` : describeError(apiFailure);
  const unknown = `${api}, and ${git.unknown}`;
  log.write(`Changed lines unknown: ${unknown}`);
  if (apiFailure === undefined) return { unknown };
  const permission = apiFailure instanceof GitHubApiError && apiFailure.permission ? ` The token needs \`${apiFailure.permission}\`.` : '';
  return { unknown, warning: `Patch coverage is not measured: ${unknown}.${permission}` };
}

async function gitDiff(context: RunContext, ports: Pick<Ports, 'runner'>, baseSha: string): Promise<ChangedLines> {
  const noHistory = 'the checkout has no history of the base commit (actions/checkout with `fetch-depth: 0`)';
  if (!/^[0-9a-f]{40,64}$/.test(baseSha)) return { unknown: 'the event names no base commit' };
  try {
    // Not through the stage log: a large diff would fill it.
    const result = await ports.runner.run('git', gitDiffArgs(baseSha), { cwd: context.repositoryRoot });
    if (result.code === 0) return { files: parseGitDiff(result.stdout) };
    if (/not a git repository/i.test(result.stderr)) return { unknown: 'the workspace is no git checkout' };
    return { unknown: /bad object|unknown revision|bad revision/i.test(result.stderr) ? noHistory : `git diff failed: ${firstLine(result.stderr)}` };
  } catch (error) {
    return { unknown: `git could not run: ${describeError(error)}` };
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
