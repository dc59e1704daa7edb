// Pure decisions of the GitHub Deployments a deploy is recorded as: which Deployment to create, which
// statuses it gets, which URLs they carry, and the one warning when GitHub says no. No I/O here.
import type { DeploymentState } from '../ports.js';
import { shortDigest } from './docker.js';

/** GitHub cuts a status description at 140 characters; cutting it here keeps the end readable. */
export const DESCRIPTION_MAX = 140;

/** What a recorded deploy knows about its run. */
export interface RecordFacts {
  environment: string;
  environmentUrl?: string;
  healthUrl?: string;
  /** The run's page: every status links to it. */
  runUrl?: string;
  /** The commit this run deploys. */
  sha: string;
  /** A pull request's preview: an environment that goes away (never production). */
  transient?: boolean;
}

/** The new image (`repository@sha256:…`), or a rollback to an older one and the commit it was built from. */
export type RecordedImage = { reference: string; rollback?: false } | { reference: string; rollback: true; revision?: string };

export interface DeploymentRequest {
  ref: string;
  environment: string;
  description: string;
  productionEnvironment: boolean;
  transientEnvironment?: boolean;
}

export interface StatusRequest {
  state: DeploymentState;
  description?: string;
  environmentUrl?: string;
  logUrl?: string;
}

/** The Deployment for `image`: the run's commit, or for a rollback the old image's own (this run's when unknown). */
export function deploymentRequest(facts: RecordFacts, image: RecordedImage): DeploymentRequest {
  const short = shortReference(image.reference);
  return {
    ref: image.rollback ? rollbackRef(image.revision, facts.sha) : facts.sha,
    environment: facts.environment,
    description: clip(image.rollback ? `Rollback to ${short}, the last image that passed the health check` : `Deploy ${short}`),
    productionEnvironment: facts.environment === 'production' && !facts.transient,
    ...(facts.transient ? { transientEnvironment: true } : {})
  };
}

/**
 * A status: each links to the run's log; only `success` carries the environment's URL (a failed
 * deploy has nothing to visit). `description` is cut to GitHub's limit.
 */
export function statusRequest(facts: RecordFacts, state: DeploymentState, description: string): StatusRequest {
  return {
    state,
    description: clip(description),
    environmentUrl: state === 'success' ? environmentUrl(facts) : undefined,
    logUrl: facts.runUrl
  };
}

/** `environment-url`, else the origin of `health-url`; undefined without either (or a health URL that does not parse). */
export function environmentUrl(facts: Pick<RecordFacts, 'environmentUrl' | 'healthUrl'>): string | undefined {
  if (facts.environmentUrl) return facts.environmentUrl;
  if (!facts.healthUrl) return undefined;
  try {
    return new URL(facts.healthUrl).origin;
  } catch {
    return undefined;
  }
}

/** A revision label GitHub can resolve as a commit (hex, 7 to 40 characters), else the run's commit. */
export function rollbackRef(revision: string | undefined, sha: string): string {
  return revision && /^[0-9a-f]{7,40}$/i.test(revision) ? revision : sha;
}

/** `repository@sha256:<12 hex>`; a reference without a digest stays as it is. */
export function shortReference(reference: string): string {
  const at = reference.lastIndexOf('@sha256:');
  return at < 0 ? reference : `${reference.slice(0, at)}@${shortDigest(reference.slice(at + 1))}`;
}

/** At most DESCRIPTION_MAX characters, on one line; a cut ends in `…`. */
export function clip(text: string, max = DESCRIPTION_MAX): string {
  const line = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** The one warning of a run whose Deployments GitHub refused or could not take: what failed and, when known, what to grant. */
export function recordWarning(error: { message: string; permission?: string }): string {
  const grant = error.permission
    ? ` The token lacks \`${error.permission}\`: add \`permissions: ${error.permission}\` to the job (with \`contents: read\`).`
    : '';
  return `The deploy is not recorded as a GitHub Deployment: ${error.message.replace(/\.$/, '')}.${grant} The deploy itself goes on.`;
}
