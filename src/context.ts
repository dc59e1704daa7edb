// Where and why a run happens: everything the pipeline needs to know about its surroundings,
// filled by the action entry (from the runner's environment) or the CLI (from the local checkout).
import type { Artifacts, CacheStore, Files, GitHubApi, Host, Http, Mailer, ProcessRunner, Reporter } from './ports.js';

export interface GitEvent {
  /** push, pull_request, workflow_dispatch, … ("local" for the CLI). */
  name: string;
  /** refs/heads/main, refs/tags/v1.2.3, refs/pull/7/merge. */
  ref: string;
  sha: string;
  defaultBranch: string;
  /** owner/name. */
  repository: string;
  /** https://github.com — for OCI source labels. */
  serverUrl: string;
  /** Why this event runs untrusted code (no cache saves, pushes or deploys); undefined when trusted. */
  untrusted?: string;
  /**
   * On pull_request events: the pull request. `action` is the event's (opened, synchronize, closed, …),
   * `merged` whether a closed one was merged, `headRef` its branch.
   */
  pullRequest?: { number: number; baseRef: string; baseSha: string; headSha: string; headRef?: string; action?: string; merged?: boolean };
  /** The run's page (https://github.com/o/r/actions/runs/N), for links; undefined outside Actions. */
  runUrl?: string;
  /** The job's id in the workflow (GITHUB_JOB): one comment per job. */
  job?: string;
  /** The workflow's name (GITHUB_WORKFLOW) and who started the run (GITHUB_ACTOR), for notifications. */
  workflow?: string;
  actor?: string;
}

export interface RunContext {
  /** The repository's root: annotations and reports name files relative to it. */
  repositoryRoot: string;
  /** Survives between stages of this run, outside the project tree: environments, package caches. */
  stateDir: string;
  /** Scratch space removed when the run ends. */
  tempDir: string;
  os: string;
  arch: string;
  /** The OS release (`ubuntu24`), part of the environment's cache key. */
  image: string;
  event: GitEvent;
  /** True inside GitHub Actions (enables the Actions layer cache for buildx, annotations, …). */
  inActions: boolean;
}

export interface Ports {
  runner: ProcessRunner;
  /** Undefined when caching is off or no store can be used here. */
  cache?: CacheStore;
  reporter: Reporter;
  /** Deploy hook, health checks and registry reads. */
  http: Http;
  /** The project's files and the run's folders. */
  files: Files;
  host: Host;
  /** The repository on GitHub; undefined without a token (the CLI) or for an untrusted event. */
  github?: GitHubApi;
  /** Sends notification mail; undefined where no mail can be sent. */
  mailer?: Mailer;
  /** The run's artifacts (test shards hand their results to the merge job); undefined outside Actions. */
  artifacts?: Artifacts;
}
