// The one interface the install, test and lint stages ask for plans. An ecosystem (python/, node/)
// knows its project files, installers, test runners and linters; the stages know only this shape,
// and pass back to the ecosystem the environment it described.
import type { DependencyFile } from '../cache-key.js';
import type { Config, Language } from '../config.js';
import type { Files, Host } from '../ports.js';
import type { FindingsParse } from '../reports/findings.js';
import type { PathOptions } from '../reports/paths.js';
import type { StageLog } from '../stage-log.js';

export interface Command {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** Read-only view of the project tree; paths are relative to the project root, `/`-separated. */
export interface ProjectFiles {
  /** Names of the files in a folder (not recursive); [] when it does not exist. */
  list(dir: string): string[];
  /** A file's text, or undefined when it does not exist. */
  read(path: string): string | undefined;
  /** Names of the sub-folders of a folder; without it, workspace globs are matched against lockfiles. */
  listDirs?(dir: string): string[];
}

/** An installed environment: what the test and lint stages run their commands in. */
export interface Environment<Data = unknown> {
  /** The project folder. */
  root: string;
  /** Variables that activate the environment, on top of the run's own, for every command run in it. */
  env: Record<string, string>;
  /** The ecosystem's own facts (interpreter, installed tools, scripts): only the ecosystem reads them. */
  data: Data;
}

/** What to install and where, with everything the cache key needs. */
export interface InstallPlan {
  installer: string;
  /** Runtime part of the key, e.g. `python-cpython-3.11.7`. */
  runtime: string;
  /** What the installed tree depends on besides the files: the interpreter's path (and the project's). */
  interpreterPath: string;
  /** Files whose contents decide what gets installed (the stage puts `cache-dependency-path` instead). */
  files: DependencyFile[];
  /** Creates the empty environment (e.g. `python -m venv`), before `commands`. */
  create?: Command;
  commands: Command[];
  /** What is cached: absolute paths. */
  cachePaths: string[];
  /** Written after a good install, inside the cached paths; a tree whose stamp differs from the key is not used. */
  stampPath: string;
  /** The package manager's download cache, restored on a key miss to speed the install up. */
  downloads?: { tool: string; path: string; env: Record<string, string> };
  /** Variables every command in the environment runs with. */
  env: Record<string, string>;
  /** Variables the install commands alone run with (where the package manager keeps downloads). */
  installEnv: Record<string, string>;
  nothingToInstall: boolean;
  /** Things a person should know about the choice (a lock file whose tool is missing). */
  notes: string[];
}

/** An install plan, and how to check a restored environment and describe the installed one. */
export interface Installation<Data = unknown> {
  plan: InstallPlan;
  /** Whether a tree whose stamp matches is usable; `restored`: it just came out of the cache as saved. */
  verify(restored: boolean): Promise<boolean>;
  /** After a good install, before the save: notes that let a later restore skip checks. */
  record?(): Promise<void>;
  environment(): Promise<Environment<Data>>;
  /**
   * After a good install: paths in the environment that Slipway's own commands never use (Python's
   * seed packages), cached apart and restored only for a run that may need them.
   */
  setAside?(): Promise<string[]>;
  /** A sentence that explains a failed install, when the ecosystem recognises the failure. */
  explain?(output: string): string | undefined;
}

/** What an ecosystem may use while it prepares an install. */
export interface InstallPorts {
  /** The install stage's log: probes run (and print) here. */
  log: StageLog;
  files: Files;
  host: Host;
}

export interface InstallRequest {
  config: Pick<Config, 'workingDirectory' | 'python' | 'installCommands'>;
  /** Survives between runs of the project: environments and download caches live here. */
  stateDir: string;
}

/** What a test plan reads of the config: `testCommand` is one command (one tier of `test-command`). */
export type TestCommandConfig = Pick<Config, 'testReportPatterns' | 'coverage'> & { testCommand?: string[] };

export interface TestRequest {
  config: TestCommandConfig;
  /** Scratch folder for the reports (and any file the runner needs). */
  reportDir: string;
  hostEnv: Host['env'];
}

export interface TestPlan {
  runner: string;
  /** Run in order; the first one's exit code is the tests' verdict (the rest write reports). */
  commands: Command[];
  /** JUnit XML files (absolute) the commands are asked to write. */
  junit: string[];
  /** The user's `test-report` globs (relative to the project): JUnit XML or jest JSON. */
  reportPatterns?: string[];
  /** jest's --json output (absolute). */
  jestJson?: string;
  /** Cobertura XML (absolute). */
  coverageXml?: string;
  /** LCOV (absolute). */
  lcov?: string;
  /** Why coverage is not measured, when it is not. */
  coverageNote?: string;
  /** Things a person should know about how the tests ran. */
  notes: string[];
  /** Variables for the test commands, on top of the environment's. */
  env?: Record<string, string>;
  /** Files written before the commands run (a runner script). */
  writes?: Array<{ path: string; text: string }>;
}

export interface LintPlan {
  /** How the headline names it: ruff, eslint, lint script, custom… */
  linter: string;
  command: Command;
  /** Exit codes that mean "ran and reported findings (or none)"; others mean the linter broke. */
  okExitCodes: number[];
  parse: (stdout: string, paths: PathOptions) => FindingsParse;
  /** Its exit code is all there is (a `lint` script): non-zero is findings or broken, no details. */
  exitCodeOnly?: boolean;
}

export interface LintRequest {
  config: Pick<Config, 'lintCommand'>;
  files: ProjectFiles;
}

/** An installed package as vulnerability databases (OSV) name it. */
export interface InstalledPackage {
  name: string;
  version: string;
  ecosystem: 'PyPI' | 'npm';
  /** The names of the packages it requires (normalized as `name`), when its metadata says; absent when none. */
  requires?: string[];
}

export interface Ecosystem<Data = unknown> {
  readonly name: Exclude<Language, 'auto'>;
  /** Whether the files at the project's root mark it as this ecosystem's. */
  detect(files: ProjectFiles): boolean;
  /** Probes the tools the install needs and plans it; throws a SlipwayError when it cannot be done. */
  planInstall(request: InstallRequest, ports: InstallPorts): Promise<Installation<Data>>;
  planTests(environment: Environment<Data>, request: TestRequest): TestPlan;
  /** Undefined when the project has no linter: then `addLinter` says how to get one. */
  planLint(environment: Environment<Data>, request: LintRequest): LintPlan | undefined;
  readonly addLinter: string;
  /** Whether a project file (relative path) is a test file by the runners' default conventions. */
  isTestFile(path: string): boolean;
  listInstalled(environment: Environment<Data>, files: Files): InstalledPackage[];
}
