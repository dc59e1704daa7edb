// Whether a run builds, pushes and deploys, and why, in one sentence. Pure.
import type { Config } from '../config.js';
import type { RunContext } from '../context.js';
import { matchesGlob } from '../glob.js';
import { parseSemver } from './image-tags.js';

/** whenToShip with the run's facts. */
export function shipDecision(config: Config, context: RunContext, testsPassed: boolean): ShipDecision {
  return whenToShip({
    eventName: context.event.name,
    ref: context.event.ref,
    defaultBranch: context.event.defaultBranch,
    deployBranches: config.deployBranches,
    buildOnPullRequest: config.buildOnPullRequest,
    testsPassed,
    image: config.image
  });
}

export interface ShipInput {
  eventName: string;
  ref: string;
  defaultBranch: string;
  /** Branch names or simple globs (`release/*`); empty means the default branch. */
  deployBranches: readonly string[];
  buildOnPullRequest: boolean;
  testsPassed: boolean;
  image?: string;
}

export interface ShipDecision {
  build: boolean;
  push: boolean;
  /** Allowed to deploy; the deploy stage still needs a `deploy-hook`. */
  deploy: boolean;
  /** One sentence for the job summary. */
  reason: string;
}

/** Whether `branch` is one of `patterns` (exact names or globs: `*` within a segment, `**` across). */
export function matchesBranch(branch: string, patterns: readonly string[]): boolean {
  return matchesGlob(branch, branchPatterns(patterns));
}

/**
 * What is wrong with one line of `deploy-branches`, or undefined. A list on one line and a negation
 * would be read as one literal branch name that never matches, so they are refused. Negation is not
 * supported: what ships is an allow-list, and order-dependent exclusions make it easy to misread.
 */
export function deployBranchProblem(line: string): string | undefined {
  const pattern = line.trim();
  if (pattern.startsWith('!')) {
    return `"${pattern}" is a negation, which is not supported; list the branches that deploy (names or globs), one a line.`;
  }
  if (/[,\s]/.test(pattern)) {
    return `"${pattern}" holds several branches; give one branch a line (a branch name has no commas or spaces).`;
  }
  return undefined;
}

function branchPatterns(patterns: readonly string[]): string[] {
  return patterns.map((pattern) => pattern.trim().replace(/^refs\/heads\//, '')).filter((pattern) => pattern !== '' && !pattern.startsWith('#'));
}

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);

/** Decides whether the image is built, pushed and deployed, and says why in one sentence. */
export function whenToShip(input: ShipInput): ShipDecision {
  const nothing = (reason: string): ShipDecision => ({ build: false, push: false, deploy: false, reason });
  if (!input.image || input.image.trim() === '') {
    return nothing('No `image` input is set, so no image is built and nothing is deployed.');
  }

  if (PULL_REQUEST_EVENTS.has(input.eventName)) {
    if (!input.buildOnPullRequest) {
      return nothing(
        'This is a pull request: the image is not built (set `build-on-pull-request: true` to check the Dockerfile) ' + 'and never pushed or deployed.'
      );
    }
    if (!input.testsPassed) return nothing('This is a pull request and tests failed, so the image is not built.');
    return {
      build: true,
      push: false,
      deploy: false,
      reason: 'This is a pull request: the image is built to check the Dockerfile, but not pushed or deployed.'
    };
  }

  if (input.eventName !== 'push') {
    return nothing(`The event is \`${input.eventName}\`: images are pushed and deployed only for a push to a deploy branch or a version tag.`);
  }

  const given = branchPatterns(input.deployBranches);
  const patterns = given.length > 0 ? given : [input.defaultBranch];
  let target: string;
  if (input.ref.startsWith('refs/heads/')) {
    const branch = input.ref.slice('refs/heads/'.length);
    if (!matchesBranch(branch, patterns)) {
      return nothing(`Branch \`${branch}\` is not a deploy branch (${patterns.join(', ')}), so no image is built, pushed or deployed.`);
    }
    target = `a push to deploy branch \`${branch}\``;
  } else if (input.ref.startsWith('refs/tags/')) {
    const tag = input.ref.slice('refs/tags/'.length);
    if (!tag.startsWith('v') || parseSemver(tag) === undefined) {
      return nothing(`Tag \`${tag}\` is not a version tag (like v1.2.3), so no image is built, pushed or deployed.`);
    }
    target = `version tag \`${tag}\``;
  } else {
    return nothing(`Ref \`${input.ref}\` is neither a branch nor a tag, so no image is built, pushed or deployed.`);
  }

  if (!input.testsPassed) {
    return nothing(`This is ${target}, but tests failed, so no image is pushed or deployed.`);
  }
  return { build: true, push: true, deploy: true, reason: `This is ${target} and tests passed: the image is built, pushed and deployed.` };
}
