// A deploy recorded on GitHub as Deployments and their statuses, through the GitHub port. GitHub is
// optional here: its first refusal or failure is the run's one warning, nothing more is sent after
// it (a token that cannot write now will not later), and the deploy goes on exactly as without it.
import { describeError } from '../errors.js';
import { GitHubApiError, type DeploymentState, type GitHubApi, type Reporter } from '../ports.js';
import type { StageLog } from '../stage-log.js';
import { deploymentRequest, recordWarning, statusRequest, type RecordedImage, type RecordFacts } from './deploy-record-plan.js';

export type EndState = Extract<DeploymentState, 'success' | 'failure' | 'error'>;

export class DeploymentRecord {
  private current?: { id: number; what: string; ended: boolean };
  private failed = false;
  /** One line per Deployment and how it ended, for the stage's details. */
  readonly recorded: string[] = [];

  constructor(
    private readonly github: GitHubApi | undefined,
    private readonly facts: RecordFacts,
    private readonly reporter: Reporter,
    private readonly log: StageLog,
    private readonly mask: (text: string) => string
  ) {}

  /** Whether calls still go to GitHub: a token was given and nothing has failed yet. */
  get active(): boolean {
    return this.github !== undefined && !this.failed;
  }

  /** A new Deployment of `image`, `in_progress`: the one later calls to `end` finish. */
  async begin(image: RecordedImage): Promise<void> {
    this.current = undefined;
    const request = deploymentRequest(this.facts, image);
    const created = await this.send((github) => github.createDeployment(request));
    if (!created) return;
    const id = created.value;
    const what = `GitHub Deployment ${id} (${request.environment}, ${request.ref.slice(0, 7)})`;
    this.current = { id, what, ended: false };
    this.log.write(`${what} created: ${request.description}.`);
    await this.send((github) => github.setDeploymentStatus(id, statusRequest(this.facts, 'in_progress', request.description)));
  }

  /** Sets the current Deployment's final state, once: later calls leave it as it is. `url`: the environment's, when only now known. */
  async end(state: EndState, description: string, url?: string): Promise<void> {
    const current = this.current;
    if (!current || current.ended) return;
    current.ended = true;
    const status = statusRequest(url ? { ...this.facts, environmentUrl: url } : this.facts, state, this.mask(description));
    if (!(await this.send((github) => github.setDeploymentStatus(current.id, status)))) return;
    const line = `${current.what}: ${state}${status.environmentUrl ? ` at ${status.environmentUrl}` : ''}.`;
    this.log.write(line);
    this.recorded.push(line);
  }

  /**
   * Marks every still active Deployment of the environment but the current one `inactive` (a transient
   * one then shows as destroyed). GitHub's `auto_inactive` leaves transient environments alone, so a
   * preview's earlier Deployments are retired here. Returns how many.
   */
  async retire(description: string): Promise<number> {
    const listed = await this.send((github) => github.activeDeployments(this.facts.environment));
    const others = (listed?.value ?? []).filter((id) => id !== this.current?.id);
    let retired = 0;
    for (const id of others) {
      if (!(await this.send((github) => github.setDeploymentStatus(id, statusRequest(this.facts, 'inactive', description))))) break;
      retired++;
    }
    if (retired > 0) this.log.write(`${retired} earlier GitHub Deployment${retired > 1 ? 's' : ''} of ${this.facts.environment} marked inactive.`);
    return retired;
  }

  /** One call; undefined when there is no API, an earlier call failed, or this one does (then the one warning). */
  private async send<T>(call: (github: GitHubApi) => Promise<T>): Promise<{ value: T } | undefined> {
    if (!this.github || this.failed) return undefined;
    try {
      return { value: await call(this.github) };
    } catch (error) {
      this.failed = true;
      const permission = error instanceof GitHubApiError ? error.permission : undefined;
      const warning = this.mask(recordWarning({ message: describeError(error), permission }));
      this.log.write(warning);
      this.reporter.warning(warning);
      return undefined;
    }
  }
}
