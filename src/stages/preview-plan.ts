// Pure decisions of pull request previews: whether this run deploys, destroys or leaves a preview
// alone (and why), the image's tags, the hook's body, the preview's URL and where its health is checked.
import type { PreviewConfig } from '../config-preview.js';
import type { GitEvent } from '../context.js';
import { tagNames } from './image-tags.js';

export type PreviewDecision =
  | { kind: 'deploy'; number: number; environment: string; reason: string }
  | { kind: 'destroy'; number: number; environment: string; reason: string; merged: boolean }
  /** `notice`: worth telling the people who expected a preview (a fork, pull_request_target). */
  | { kind: 'skip'; reason: string; notice: boolean };

/** The pull request actions that deploy (or redeploy) its preview; `closed` destroys it; the rest leave it be. */
export const DEPLOY_ACTIONS = ['opened', 'synchronize', 'reopened', 'labeled', 'ready_for_review'] as const;

/** The GitHub Deployment environment of pull request `number`'s preview. */
export function previewEnvironment(number: number): string {
  return `pr-${number}`;
}

/** A pull request closed while previews are on: the preview is destroyed, and nothing is installed, tested or built. */
export function closesPreview(preview: PreviewConfig | undefined, event: GitEvent): boolean {
  return Boolean(preview) && (event.name === 'pull_request' || event.name === 'pull_request_target') && event.pullRequest?.action === 'closed';
}

/**
 * What the run does about the pull request's preview; undefined when previews are off or the event is
 * no pull request (the usual ship rules apply then). Only `pull_request` runs of the repository's own
 * branches touch a preview: a fork's code never reaches the registry or the hook.
 */
export function previewDecision(preview: PreviewConfig | undefined, event: GitEvent, testsPassed: boolean): PreviewDecision | undefined {
  if (!preview) return undefined;
  if (event.name === 'pull_request_target') {
    return {
      kind: 'skip',
      notice: true,
      reason:
        'No preview: this is a pull_request_target run, which may run a fork’s code with the repository’s secrets. Previews come from `pull_request` runs of branches of this repository only.'
    };
  }
  if (event.name !== 'pull_request') return undefined;
  if (event.untrusted) {
    return {
      kind: 'skip',
      notice: true,
      reason:
        'No preview for a pull request from a fork: its code is not pushed and the preview hook is not called (they would run it with this repository’s secrets).'
    };
  }
  const pull = event.pullRequest;
  if (!pull) return { kind: 'skip', notice: false, reason: 'No preview: the event names no pull request.' };
  const environment = previewEnvironment(pull.number);
  if (pull.action === 'closed') {
    const how = pull.merged ? 'merged' : 'closed without merging';
    return {
      kind: 'destroy',
      number: pull.number,
      environment,
      merged: pull.merged === true,
      reason: `Pull request #${pull.number} was ${how}: its preview ${environment} is destroyed.`
    };
  }
  if (pull.action !== undefined && !(DEPLOY_ACTIONS as readonly string[]).includes(pull.action)) {
    return {
      kind: 'skip',
      notice: false,
      reason: `No preview: the pull request was ${pull.action}; previews are deployed when it is ${DEPLOY_ACTIONS.join(', ')}.`
    };
  }
  if (!testsPassed) {
    return { kind: 'skip', notice: false, reason: `Something failed before the image, so no preview is deployed (${environment} stays as it was).` };
  }
  return {
    kind: 'deploy',
    number: pull.number,
    environment,
    reason: `Pull request #${pull.number} of this repository, all green: its image is pushed as pr-${pull.number} and deployed as the preview ${environment}.`
  };
}

/** `<image>:sha-<7>` (the unique tag, first) and `<image>:pr-<n>`; never `latest` nor a branch's tag. */
export function previewTags(image: string, number: number, sha: string): string[] {
  const [unique] = tagNames({ ref: '', sha, defaultBranch: '', eventName: 'pull_request' });
  return [`${image}:${unique}`, `${image}:pr-${number}`];
}

export interface PreviewFacts {
  action: 'deploy' | 'destroy';
  number: number;
  environment: string;
  /** `<image>:pr-<n>`. */
  image: string;
  /** The pushed manifest; null when destroying. */
  digest?: string;
  /** The commit built (GITHUB_SHA: the pull request's merge commit) and its ref. */
  sha: string;
  ref: string;
  headRef?: string;
  headSha?: string;
  /** owner/name. */
  repository: string;
  /** Destroy only: whether the pull request was merged. */
  merged?: boolean;
}

/** The hook's JSON body, in a fixed order: the exact bytes that are signed and sent. */
export function previewBody(facts: PreviewFacts): string {
  return JSON.stringify({
    action: facts.action,
    pull_request: facts.number,
    environment: facts.environment,
    image: facts.image,
    digest: facts.digest ?? null,
    sha: facts.sha,
    ref: facts.ref,
    head_ref: facts.headRef ?? null,
    head_sha: facts.headSha ?? null,
    repository: facts.repository,
    ...(facts.action === 'destroy' ? { merged: facts.merged === true } : {})
  });
}

export interface PreviewUrl {
  url?: string;
  /** Said in the log (and, without a URL, in the stage): where the URL came from, or why there is none. */
  note: string;
}

/** The preview's URL: the hook answer's `url` (http or https), else `preview-url` with `{pr}` filled in. */
export function previewUrlFrom(answer: string, template: string | undefined, number: number): PreviewUrl {
  let given: unknown;
  try {
    given = (JSON.parse(answer) as { url?: unknown } | null)?.url;
  } catch {
    given = undefined;
  }
  if (typeof given === 'string' && isHttp(given)) return { url: given, note: 'The preview hook answered its URL.' };
  const ignored = given === undefined ? '' : 'The preview hook answered a `url` that is not an http(s) URL; it is ignored. ';
  if (template) return { url: template.split('{pr}').join(String(number)), note: `${ignored}The preview's URL comes from \`preview-url\`.` };
  return {
    note: `${ignored}The preview's URL is unknown: the hook's answer has no \`url\` (a JSON object {"url": "https://…"}) and \`preview-url\` is not set.`
  };
}

/** `health-url`'s path and query under the preview's URL: `/health` on https://shop-pr-7.example.com/ → https://shop-pr-7.example.com/health. */
export function previewHealthUrl(previewUrl: string, healthUrl: string): string {
  const health = new URL(healthUrl);
  const base = previewUrl.endsWith('/') ? previewUrl : `${previewUrl}/`;
  const url = new URL(`${health.pathname.replace(/^\/+/, '')}${health.search}`, new URL(base));
  url.hash = '';
  return url.href;
}

function isHttp(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !/[\s<>]/.test(value);
  } catch {
    return false;
  }
}
