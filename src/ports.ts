// The side effects the pipeline needs, as small interfaces. Adapters (GitHub, local) implement them;
// stages, ecosystems and the pipeline only ever see these.
import type { Report } from './model.js';

export interface RunOptions {
  cwd: string;
  /**
   * Variables set (or, when undefined, removed) on top of the child's base environment: the
   * process's own, less the step's inputs, the runner's tokens and every secret (see trust/child-env.ts).
   */
  env?: Record<string, string | undefined>;
  /** Written to the child's standard input, then closed (e.g. a password for --password-stdin). */
  input?: string;
  /** Called with each complete line of stdout and stderr as it arrives. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Runs a program with an argument array; never through a shell. */
export interface ProcessRunner {
  run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult>;
}

/** A key-addressed store of directory trees, with GitHub's cache semantics. */
export interface CacheStore {
  readonly description: string;
  /**
   * Reached over the network: its operations share the run's time budget. A local store is never
   * cut off (an abandoned extraction would go on writing into the environment being installed).
   */
  readonly remote?: boolean;
  /**
   * Can save some of the files under `paths` as an entry of those paths (`members` of save): such
   * entries restore like any other, so one tree can be kept as several entries restored at once.
   */
  readonly partial?: boolean;
  /**
   * Restores `paths` from the entry saved under `key` or, failing that, the newest entry whose key
   * starts with one of `restoreKeys`. Returns the key of the entry restored, undefined on a miss.
   * Throws when the store cannot be reached (callers turn that into a warning), BrokenCacheEntry
   * when the entry arrived but cannot be unpacked. Stops, leaving nothing half-written, on `signal`.
   * `progress` (here and in save) is called while data moves or local work advances: the time
   * between such calls is what counts as waiting on the store.
   */
  restore(paths: string[], key: string, restoreKeys?: string[], signal?: AbortSignal, progress?: () => void): Promise<string | undefined>;
  /**
   * Saves `paths` under `key`. Returns false when nothing was stored and that is no failure: an
   * entry with that key exists already, or the runner allows no cache writes. With `members` (only
   * when `partial`), just those files and folders under `paths` go into the entry.
   */
  save(paths: string[], key: string, signal?: AbortSignal, progress?: () => void, members?: EntryMembers): Promise<boolean>;
}

/** Some of the files under an entry's paths. */
export interface EntryMembers {
  /**
   * Folders archived on their own (not what is in them), parents first: entries extracted at the same
   * time each make the folders they write into, instead of racing to create them.
   */
  folders: string[];
  /** Files, links and folders archived with everything under them. */
  trees: string[];
}

/** A cache entry that arrived whole but cannot be unpacked: the store works, the entry does not. */
export class BrokenCacheEntry extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrokenCacheEntry';
  }
}

/**
 * The run's artifacts (files jobs of one workflow run hand to each other). Throws when the service
 * cannot be reached or refuses; callers say what that means for the run.
 */
export interface Artifacts {
  /** Uploads `files` (absolute, under `root`) as the artifact `name`, replacing one of that name (a re-run). */
  upload(name: string, files: string[], root: string): Promise<void>;
  /** The names of this run's artifacts (the newest of each name). */
  list(): Promise<string[]>;
  /** Unpacks the artifact `name` into `dir`. */
  download(name: string, dir: string): Promise<void>;
}

export interface Annotation {
  title?: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
}

export interface LogSection {
  line(text: string): void;
  /** Closes the section; `after` (the stage's result line) is printed after it, outside it. */
  end(after?: string): void;
}

/** Where people read what happened: logs, annotations, outputs, the summary. */
export interface Reporter {
  info(message: string): void;
  debug(message: string): void;
  notice(message: string, annotation?: Annotation): void;
  warning(message: string, annotation?: Annotation): void;
  error(message: string, annotation?: Annotation): void;
  /**
   * Opens a stage's log section (a collapsible group in Actions). Its lines print as they arrive when
   * the adapter can show them live; sections open at the same time never interleave their lines.
   */
  section(title: string): LogSection;
  /** Marks a value as secret: it is replaced by *** wherever it would be printed. */
  secret(value: string): void;
  setOutput(name: string, value: string): void;
  /** Writes the run's one summary (the job summary in Actions, a closing block on a terminal). */
  summary(report: Report): Promise<void>;
  /** Shows progress of a long step (a spinner on a terminal); returns a function that ends it. */
  progress(label: string): () => void;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpOptions {
  /** The whole exchange (redirects and body included) must end within this. */
  timeoutMs: number;
  body?: string;
  headers?: Record<string, string>;
  /** 'same-origin': a redirect to another origin is refused. Default 'follow', as fetch does. */
  redirects?: 'follow' | 'same-origin';
  /** Refuse to connect to link-local addresses (169.254.0.0/16, fe80::/10: cloud metadata endpoints). */
  refuseLinkLocal?: boolean;
}

/**
 * Why no response came back. `network`: connection failed or broke; `timeout`: the limit passed;
 * `refused`: a policy said no (a redirect to another origin, a link-local address); `not-tls`: an
 * https:// URL whose server answered in plain HTTP.
 */
export type HttpFailure = 'network' | 'timeout' | 'refused' | 'not-tls';

/** No response. `sent`: the whole request may have reached the host (false only when it provably did not). */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly failure: HttpFailure,
    readonly sent: boolean
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Plain HTTP. Any status is a response; throws (an HttpError) only when no response arrived. */
export interface Http {
  request(method: 'GET' | 'POST', url: string, options: HttpOptions): Promise<HttpResponse>;
}

/** A folder's entries by kind; links and other special entries are in neither list. */
export interface FolderListing {
  files: string[];
  folders: string[];
}

/** A file, link or folder; a folder's bytes and entries count everything under it, itself included. */
export interface TreeNode {
  path: string;
  bytes: number;
  entries: number;
  /** A folder's children; undefined for a file or a link. */
  children?: TreeNode[];
}

/**
 * The file system as stages and ecosystems see it: the project and the run's folders. Paths are
 * absolute. Reads of what is missing or unreadable answer undefined (or nothing), never throw.
 */
export interface Files {
  /** A file's text; undefined when it does not exist or is no readable file. */
  read(path: string): string | undefined;
  /** A folder's entries (not recursive); empty when it does not exist. */
  list(path: string): FolderListing;
  /** A path with everything under it, sizes summed (links not followed); undefined when it does not exist. */
  walk(path: string): TreeNode | undefined;
  exists(path: string): boolean;
  /** Where a path leads through its links; undefined when it leads nowhere. */
  resolve(path: string): string | undefined;
  /** Files under `root` whose root-relative path matches the glob, absolute and sorted. */
  glob(root: string, pattern: string): string[];
  /** Makes a folder and the folders on its way. Throws as `write`. */
  makeFolder(path: string): void;
  /** Writes a file, making the folders on its way. Throws outside the project and the run's folders. */
  write(path: string, text: string): void;
  /** Removes a file or a folder with everything in it; nothing when it is not there. Throws as `write`. */
  remove(path: string): void;
}

/** A Docker config folder of the run's own; `remove` deletes it with any login in it. */
export interface DockerConfigFolder {
  path: string;
  remove(): void;
}

/** The machine the run happens on, as far as a plan needs to know it. */
export interface Host {
  /** True when an executable file called `program` is on the run's PATH. */
  which(program: string): boolean;
  /**
   * The run's own variables that plans build on (commands put their additions before or after them).
   * SLIPWAY_TEST_HOOK_TIMEOUT_SECONDS shortens the deploy hook's 30 s for the end-to-end tests only.
   */
  readonly env: Readonly<{ PATH?: string; NODE_OPTIONS?: string; SLIPWAY_TEST_HOOK_TIMEOUT_SECONDS?: string }>;
  /** The runner's cache service variables (for buildx's layer cache); undefined when it offers none. */
  readonly cacheService?: Readonly<Record<string, string | undefined>>;
  /** A fresh, credential-free Docker config under `inDir` that keeps the user's engine and builder. */
  dockerConfig(inDir: string): DockerConfigFolder;
}

export interface MailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** Sends mail through the SMTP server of `smtpUrl`; throws a MailError when it was not accepted. */
export interface Mailer {
  send(smtpUrl: string, message: MailMessage): Promise<void>;
}

/** Mail not accepted; `retryable` when the server said "later" (4xx) or could not be reached. */
export class MailError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean
  ) {
    super(message);
    this.name = 'MailError';
  }
}

/** A file a pull request changes, as the GitHub API lists it (`patch` absent for binary or huge diffs). */
export interface PullRequestFileEntry {
  filename: string;
  status: string;
  previous_filename?: string;
  patch?: string;
}

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

/**
 * The repository's GitHub API, for what a run records there. Every call throws GitHubApiError on a
 * refusal or failure; callers turn it into one warning (an optional service never fails a run).
 */
export interface GitHubApi {
  /** Every file the pull request changes (all pages). */
  pullRequestFiles(pullRequest: number): Promise<PullRequestFileEntry[]>;
  /** Edits in place the first comment `isOwn` recognises, or creates one. */
  upsertComment(pullRequest: number, isOwn: (body: string) => boolean, body: string): Promise<'created' | 'updated'>;
  /** A Deployment of `ref` to `environment`; returns its id. */
  createDeployment(deployment: {
    ref: string;
    environment: string;
    description: string;
    productionEnvironment?: boolean;
    transientEnvironment?: boolean;
  }): Promise<number>;
  setDeploymentStatus(id: number, status: { state: DeploymentState; environmentUrl?: string; logUrl?: string; description?: string }): Promise<void>;
  /** The ids of `environment`'s Deployments whose latest status is not `inactive`, newest first (the latest 100). */
  activeDeployments(environment: string): Promise<number[]>;
}

/** A GitHub API call that failed; `permission` names what a 403 says the token lacks, when it is known. */
export class GitHubApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly permission?: string
  ) {
    super(message);
    this.name = 'GitHubApiError';
  }
}
