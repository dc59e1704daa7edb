// A manual deploy (`deploy-image` on workflow_dispatch): whether this run is one, and which image it
// names. Pure.
import type { Config } from '../config.js';
import type { RunContext } from '../context.js';
import { SlipwayError } from '../errors.js';
import { imageNameProblem } from './image-name.js';

export interface ManualTarget {
  repository: string;
  /** The tag to resolve to its digest first; undefined when a digest was given. */
  tag?: string;
  /** `sha256:<64 hex>` when given. */
  digest?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** A workflow_dispatch run with `deploy-image` deploys that image and does nothing else. */
export function isManualDeploy(config: Pick<Config, 'deployImage'>, context: Pick<RunContext, 'event'>): boolean {
  return context.event.name === 'workflow_dispatch' && (config.deployImage ?? '').trim() !== '';
}

/**
 * What `deploy-image` names: `repo:tag`, `repo@sha256:…`, or (with the `image` input giving the
 * repository) a bare tag or digest. Throws a SlipwayError saying what to write instead.
 */
export function manualTarget(deployImage: string, image: string | undefined): ManualTarget {
  const value = deployImage.trim();
  const bare = (part: { tag?: string; digest?: string }): ManualTarget => {
    if (!image) {
      throw new SlipwayError(`Input \`deploy-image\`: "${value}" names no repository; give repository:tag or repository@sha256:…, or set \`image\`.`);
    }
    return { repository: image, ...part };
  };
  if (DIGEST.test(value)) return bare({ digest: value });
  const at = value.indexOf('@');
  if (at >= 0) {
    const digest = value.slice(at + 1);
    if (!DIGEST.test(digest)) throw new SlipwayError(`Input \`deploy-image\`: "${value}" has no sha256 digest after "@" (sha256: and 64 hex digits).`);
    return checked({ repository: value.slice(0, at), digest }, value);
  }
  const slash = value.lastIndexOf('/');
  const colon = value.lastIndexOf(':');
  if (slash < 0 && colon < 0) return bare({ tag: value });
  if (colon <= slash) throw new SlipwayError(`Input \`deploy-image\`: "${value}" has no tag or digest; give repository:tag or repository@sha256:….`);
  return checked({ repository: value.slice(0, colon), tag: value.slice(colon + 1) }, value);
}

function checked(target: ManualTarget, value: string): ManualTarget {
  const problem = imageNameProblem(target.repository);
  if (problem) throw new SlipwayError(`Input \`deploy-image\`: "${value}": ${problem}`);
  if (target.tag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(target.tag)) {
    throw new SlipwayError(`Input \`deploy-image\`: "${target.tag}" is not a valid tag.`);
  }
  return target;
}

/** The headline's prefix: manual, and by whom. */
export function manualBy(actor: string | undefined): string {
  return `manual deploy${actor ? ` by @${actor}` : ''}`;
}
