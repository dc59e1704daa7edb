// Every input of the contract in one place: its name, the default action.yml declares and what it
// means. The CLI takes the same names as flags and prints these descriptions in --help; a unit test
// keeps this table and action.yml in step.
import { SlipwayError } from './errors.js';

export const INPUTS = {
  'working-directory': { default: '.', description: 'Project root inside the repository.' },
  language: { default: 'auto', description: 'auto, python or node. auto detects the project from its files.' },
  python: { default: 'python3', description: 'Interpreter used to create the virtual environment (a name on PATH or a path).' },
  'install-command': {
    default: '',
    description:
      'Replaces the detected install command (one command a line, run inside the virtual environment without a shell; use bash -c "…" for pipes or &&).'
  },
  cache: { default: 'true', description: 'Restore and save the installed dependency environment.' },
  'cache-dependency-path': {
    default: '',
    description: 'Files (globs relative to working-directory, one a line) whose checksum keys the cache. Default: the detected dependency files.'
  },
  'cache-version': { default: 'v1', description: 'Part of every cache key: bump it to discard all old caches.' },
  'test-command': {
    default: '',
    description: 'Replaces the detected test command. Several lines are tiers, run in order (fastest first), stopping at the first failing tier.'
  },
  'test-report': { default: '', description: "Report file(s) (globs, one a line) written by a custom test-command: JUnit XML, or jest's --json output." },
  coverage: { default: 'true', description: 'Measure coverage when the project has the tool.' },
  'coverage-min': { default: '0', description: 'Fail when total line coverage (percent) is below this.' },
  lint: { default: 'true', description: 'Run the linter the project has.' },
  'lint-command': { default: '', description: 'Replaces the detected lint command; findings are read from its "path:line:col: CODE message" lines.' },
  'lint-blocking': { default: 'false', description: 'Fail the step when lint finds something. By default findings are reported as annotations only.' },
  image: { default: '', description: 'Image name, e.g. docker.io/acme/shop or ghcr.io/acme/shop. No image stage when empty.' },
  'registry-username': { default: '', description: 'Registry user name.' },
  'registry-password': { default: '', description: 'Registry password or token (a secret).' },
  dockerfile: { default: 'Dockerfile', description: 'Dockerfile path, relative to working-directory.' },
  context: { default: '.', description: 'Docker build context, relative to working-directory.' },
  'build-args': { default: '', description: 'Docker build arguments, NAME=value one a line.' },
  'deploy-branches': {
    default: '',
    description: 'Branches whose pushes are deployed: names or globs (* and ? within a segment, ** across), one a line. Default: the repository default branch.'
  },
  'build-on-pull-request': { default: 'false', description: 'Build the image (never push it) on pull requests, to prove the Dockerfile.' },
  'deploy-hook': { default: '', description: 'URL called after a successful push (a secret; Render-style deploy hook).' },
  'deploy-hook-image-param': { default: '', description: 'Query parameter of the deploy hook that carries the pushed image reference (Render: imgURL).' },
  'health-url': { default: '', description: 'Polled after the deploy until it answers 2xx (and contains health-expect when set).' },
  'health-timeout': { default: '300', description: 'Seconds to wait for health-url to become healthy.' },
  'health-expect': { default: '', description: 'Text the health-url body must contain, e.g. the commit sha the app reports.' },
  rollback: { default: 'true', description: 'On a failed health check, redeploy the last image that passed it.' },
  environment: { default: 'production', description: 'Name of the GitHub Deployment (and Environment) a deploy is recorded under.' },
  'environment-url': { default: '', description: "URL shown on the GitHub Deployment. Default: health-url's origin." },
  comment: { default: 'true', description: 'On pull requests, keep one comment up to date with the results (tests, coverage and its change, patch coverage).' },
  'patch-coverage-min': { default: '0', description: "On pull requests, fail when the changed lines' coverage (percent) is below this." },
  notify: {
    default: '',
    description:
      'Where to tell people what happened, one target a line (secrets): a Slack, Discord, Teams or Google Chat webhook URL (known by its host, or forced with a slack:, discord:, teams:, gchat: or json: prefix; any other URL gets generic JSON), or mailto:a@b,c@d.'
  },
  'notify-on': { default: 'failure,recovery,rollback', description: 'When to notify, a comma list of: failure, recovery, success, deploy, rollback.' },
  'smtp-url': {
    default: '',
    description: 'Mail server for mailto: targets, smtp://user:password@host:587 (STARTTLS when offered) or smtps://…:465 (a secret).'
  },
  'mail-from': { default: '', description: 'Sender of notification mail. Default: the user of smtp-url.' },
  'scheduled-command': {
    default: '',
    description:
      "On schedule and workflow_dispatch runs, after green tests: run this command in the project's environment (without a shell) and deliver its output to notify."
  },
  audit: {
    default: 'true',
    description: 'Check the installed dependencies against the OSV database (their names and versions are sent there); findings are warnings.'
  },
  'audit-url': { default: 'https://api.osv.dev', description: 'OSV-compatible API: a mirror, or a test double.' },
  'audit-level': { default: 'none', description: 'Fail when a finding is at or above this severity: none, low, moderate, high, critical.' },
  'audit-ignore': { default: '', description: 'Advisory ids to ignore (OSV, GHSA or CVE aliases), one a line.' },
  'smoke-path': { default: '', description: 'After the build, before the push: start the image and probe this HTTP path on its exposed port until 2xx.' },
  'smoke-timeout': { default: '60', description: 'Seconds the smoke test may take.' },
  'deploy-image': {
    default: '',
    description:
      'On workflow_dispatch (or with the CLI): deploy this image (a tag or a digest of the image input) without install, tests or build: a manual redeploy or rollback.'
  },
  'preview-hook': {
    default: '',
    description:
      'Same-repository pull requests: URL (a secret) POSTed a signed JSON body to deploy the image built for the pull request as a preview ({"action":"deploy",…}), and to destroy it when the pull request closes.'
  },
  'preview-hook-secret': {
    default: '',
    description:
      'Key (a secret, at least 16 characters) of the HMAC-SHA256 signature of every preview-hook body, sent as X-Slipway-Signature-256: sha256=<hex>.'
  },
  'preview-url': {
    default: '',
    description:
      "The preview's URL when the preview hook's JSON answer has no url: a template with {pr} for the pull request number, e.g. https://shop-pr-{pr}.onrender.com."
  },
  shard: {
    default: '',
    description:
      "i/n in a matrix job (e.g. 2/4, from the matrix): run this job's share of the test files, split by the durations recorded on the default branch, and upload its results for the merge job."
  },
  'merge-shards': {
    default: 'false',
    description: 'In the job after the shards (needs: on them): merge their results into one report, apply the coverage gates, comment, notify and ship.'
  },
  'github-token': { default: '${{ github.token }}', description: 'Token for the pull request comment, Deployments and earlier runs.' }
} as const;

export type InputName = keyof typeof INPUTS;

export const INPUT_NAMES = Object.keys(INPUTS) as InputName[];

export const INPUT_DEFAULTS = Object.fromEntries(INPUT_NAMES.map((name) => [name, INPUTS[name].default])) as {
  readonly [Name in InputName]: (typeof INPUTS)[Name]['default'];
};

/** Inputs that take one item a line; every other input is a single value on one line. */
export const MULTI_LINE_INPUTS: readonly InputName[] = [
  'install-command',
  'cache-dependency-path',
  'test-command',
  'test-report',
  'lint-command',
  'build-args',
  'deploy-branches',
  'notify',
  'audit-ignore'
];

/** Inputs whose values are secrets: masked as soon as they are read. */
export const SECRET_INPUTS: readonly InputName[] = [
  'registry-password',
  'deploy-hook',
  'preview-hook',
  'preview-hook-secret',
  'github-token',
  'notify',
  'smtp-url'
];

/** Reads one input's raw value; '' when the user gave none (the default is applied by the caller). */
export type InputReader = (name: InputName) => string;

/** A bad input: the message names the input and says what would be accepted. */
export class ConfigError extends SlipwayError {
  constructor(
    readonly input: InputName,
    problem: string
  ) {
    super(`Input \`${input}\`: ${problem}`);
    this.name = 'ConfigError';
  }
}
