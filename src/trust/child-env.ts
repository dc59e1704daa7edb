// What a program Slipway starts (an install, the tests, the linter, docker) may see of Slipway's own
// environment. Project code — a pull request's tests included — runs in these children, so the
// step's inputs, the runner's service tokens and any variable carrying a secret stay behind, exactly
// as a plain `run:` step would not have them.

/** Variables the runner gives an action's own process, never a `run:` step. */
const RUNNER_ONLY = new Set([
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_RUNTIME_URL',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_CACHE_URL',
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN'
]);

/** Secrets shorter than this are not searched for: they would match innocent values by chance. */
export const MIN_SECRET_LENGTH = 4;

export type Environment = Record<string, string | undefined>;

export interface ChildEnvironment {
  env: Record<string, string>;
  /** Names left out because they belong to the runner or carry a secret (never their values). */
  withheld: string[];
}

/**
 * The environment of a child: `base` without the step's inputs (`INPUT_*`), the runner-only tokens
 * and every variable whose value contains one of `secrets`; then `overlay` on top (Slipway's own
 * settings, e.g. PATH with the virtualenv first; `undefined` removes a variable). An overlay may hand
 * a runner variable to the one program that needs it (buildx's layer cache), never a secret.
 */
export function childEnvironment(base: Environment, secrets: readonly string[], overlay: Environment = {}): ChildEnvironment {
  const hidden = secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH);
  const carriesSecret = (value: string): boolean => hidden.some((secret) => value.includes(secret));
  const runnerOnly = (name: string): boolean => name.toUpperCase().startsWith('INPUT_') || RUNNER_ONLY.has(name.toUpperCase());
  const withheld = new Set<string>();
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if (runnerOnly(name) || carriesSecret(value)) withheld.add(name);
    else env[name] = value;
  }
  for (const [name, value] of Object.entries(overlay)) {
    if (value === undefined) delete env[name];
    else if (carriesSecret(value)) {
      delete env[name];
      withheld.add(name);
    } else env[name] = value;
  }
  for (const name of Object.keys(env)) withheld.delete(name);
  return { env, withheld: [...withheld] };
}

/** The runner's cache service variables, for buildx's `type=gha` layer cache (it reads them itself). */
export function cacheServiceVariables(base: Environment): Environment {
  return Object.fromEntries([...RUNNER_ONLY].filter((name) => name.startsWith('ACTIONS_') && !name.includes('ID_TOKEN')).map((name) => [name, base[name]]));
}
