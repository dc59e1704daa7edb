// Every input of the contract in one place: its name and the default action.yml declares.
// The CLI takes the same names as flags; a unit test keeps this table and action.yml in step.

export const INPUT_DEFAULTS = {
  'working-directory': '.',
  language: 'auto',
  python: 'python3',
  'install-command': '',
  cache: 'true',
  'cache-dependency-path': '',
  'cache-version': 'v1',
  'test-command': '',
  'test-report': '',
  coverage: 'true',
  'coverage-min': '0',
  lint: 'true',
  'lint-command': '',
  'lint-blocking': 'false',
  image: '',
  'registry-username': '',
  'registry-password': '',
  dockerfile: 'Dockerfile',
  context: '.',
  'build-args': '',
  'deploy-branches': '',
  'build-on-pull-request': 'false',
  'deploy-hook': '',
  'deploy-hook-image-param': '',
  'health-url': '',
  'health-timeout': '300',
  'health-expect': '',
  rollback: 'true',
  'github-token': '${{ github.token }}'
} as const;

export type InputName = keyof typeof INPUT_DEFAULTS;

export const INPUT_NAMES = Object.keys(INPUT_DEFAULTS) as InputName[];

/** Inputs that take one item a line; every other input is a single value on one line. */
export const MULTI_LINE_INPUTS: readonly InputName[] = ['install-command', 'cache-dependency-path', 'test-command', 'test-report', 'lint-command', 'build-args', 'deploy-branches'];

/** Inputs whose values are secrets: masked as soon as they are read. */
export const SECRET_INPUTS: readonly InputName[] = ['registry-password', 'deploy-hook', 'github-token'];

/** Reads one input's raw value; '' when the user gave none (the default is applied by the caller). */
export type InputReader = (name: InputName) => string;
