/**
 * A runner's consecutive jobs on one project of a repository: the same workspace and RUNNER_TEMP
 * paths for every run (as on one runner, so cache versions and venv paths match), emptied before each,
 * with the project copied to `subdir` of a fresh checkout.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runAction, type ActionResult, type RunActionOptions } from './action-runner.js';
import { copyInto, makeTempDir, wipeDir } from './workspace.js';

export class ProjectJob {
  readonly workspace = path.join(makeTempDir('slipway-ws-'), 'repo');
  readonly jobDir = makeTempDir('slipway-job-');

  /** `defaults` is read at each run: the cache service a suite starts in beforeAll exists by then. */
  constructor(
    private readonly source: string,
    readonly subdir: string,
    private readonly defaults: () => Partial<RunActionOptions>
  ) {
    mkdirSync(this.workspace);
  }

  get project(): string {
    return path.join(this.workspace, this.subdir);
  }

  /** `subdir/relative` as an annotation names it (relative to the repository root). */
  file(relative: string): string {
    return path.posix.join(this.subdir, relative).replace(/^\.\//, '');
  }

  /** A fresh checkout (changed by `edit`, if given) and one run of the action in it. */
  async run(options: Partial<RunActionOptions> = {}, edit?: (project: string) => void): Promise<ActionResult> {
    wipeDir(this.workspace);
    wipeDir(this.jobDir);
    mkdirSync(this.project, { recursive: true });
    copyInto(this.source, this.project);
    edit?.(this.project);
    const defaults = this.defaults();
    return runAction({
      workspace: this.workspace,
      jobDir: this.jobDir,
      ...defaults,
      ...options,
      inputs: { 'working-directory': this.subdir, ...defaults.inputs, ...options.inputs },
      env: { ...defaults.env, ...options.env }
    });
  }

  /** The virtual environment the last run left in RUNNER_TEMP. */
  venv(result: ActionResult): string {
    const root = path.join(result.runnerTemp, 'slipway');
    const found = readdirSync(root)
      .map((name) => path.join(root, name, 'venv'))
      .filter((dir) => existsSync(path.join(dir, 'pyvenv.cfg')));
    if (found.length !== 1) throw new Error(`expected one environment under ${root}, found ${found.length}`);
    return found[0] ?? '';
  }
}
