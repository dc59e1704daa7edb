// Pure decisions of the image stage: which tags, which labels, which docker command line, and whether
// to build, push and deploy at all. No I/O here: the image stage acts on these plans through ports.

/** Docker's tag grammar: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const MAX_TAG_LENGTH = 128;

// distribution/reference grammar for repository names.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9A-Fa-f:]+\\])(?::[0-9]+)?$`);
const MAX_NAME_LENGTH = 255;

/** Semantic version with an optional leading `v`: 1.2.3, v1.2.3-rc.1, v1.2.3+build.5. */
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export interface SemVer {
  major: string;
  minor: string;
  patch: string;
  prerelease?: string;
  build?: string;
}

/** Parses `v1.2.3`, `1.2.3-rc.1`, `v1.2.3+meta`; undefined for anything else. */
export function parseSemver(name: string): SemVer | undefined {
  const match = SEMVER.exec(name);
  if (!match) return undefined;
  const [, major, minor, patch, prerelease, build] = match;
  return { major: major!, minor: minor!, patch: patch!, prerelease, build };
}

// ---------------------------------------------------------------------------------------------------
// Image names

function splitDomain(image: string): { domain?: string; path: string } {
  const slash = image.indexOf('/');
  if (slash < 0) return { path: image };
  const first = image.slice(0, slash);
  // Docker's rule: the first component is a registry when it looks like a host.
  if (first.includes('.') || first.includes(':') || first === 'localhost') {
    return { domain: first, path: image.slice(slash + 1) };
  }
  return { path: image };
}

/**
 * Checks the `image` input: a repository name without tag or digest (Slipway chooses the tags).
 * Returns a message naming the input and what to change, or undefined when the name is valid.
 */
export function validateImageName(image: string): string | undefined {
  const say = (problem: string): string => `Input \`image\`: ${problem}`;
  const name = image.trim();
  if (name === '') return say('is empty; give a repository name such as ghcr.io/acme/shop.');
  if (/\s/.test(name)) return say(`"${name}" contains whitespace; give one repository name such as ghcr.io/acme/shop.`);
  if (name.includes('@')) {
    return say(`"${name}" includes a digest; give the repository name only (e.g. ghcr.io/acme/shop).`);
  }
  if (name.includes('://')) {
    return say(`"${name}" is a URL; give the repository name without a scheme (e.g. ghcr.io/acme/shop).`);
  }
  const { domain, path } = splitDomain(name);
  if (path.includes(':')) {
    return say(
      `"${name}" includes a tag; give the repository name only (e.g. ghcr.io/acme/shop): ` +
        'Slipway chooses the tags (sha-…, branch, latest, versions).'
    );
  }
  if (domain !== undefined && !DOMAIN.test(domain)) {
    return say(`"${domain}" is not a valid registry host[:port].`);
  }
  if (path === '') return say(`"${name}" has an empty repository path after the registry.`);
  const components = path.split('/');
  if (components.some((part) => part === '')) {
    return say(`"${name}" has an empty path component (a leading, trailing or double "/").`);
  }
  if (path !== path.toLowerCase()) {
    return say(`"${name}" contains upper-case letters; repository names must be lower-case (try "${
      domain ? `${domain}/` : ''
    }${path.toLowerCase()}").`);
  }
  const bad = components.find((part) => !PATH_COMPONENT.test(part));
  if (bad !== undefined) {
    return say(
      `"${bad}" is not a valid path component of "${name}": use lower-case letters and digits, ` +
        'separated by single ".", "_", "__" or dashes.'
    );
  }
  if (name.length > MAX_NAME_LENGTH) return say(`is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}.`);
  return undefined;
}

/** The registry host (and port) an image is pushed to; `docker.io` when the name has none. */
export function registryOf(image: string): string {
  const { domain } = splitDomain(image.trim());
  if (domain === undefined || domain === 'index.docker.io' || domain === 'registry-1.docker.io') return 'docker.io';
  return domain;
}

// ---------------------------------------------------------------------------------------------------
// Tags

/**
 * Makes any string a valid Docker tag, or '' when nothing usable is left: accents are dropped
 * (é → e), everything is lower-cased, characters outside [a-z0-9_.-] become "-", runs of "-" collapse,
 * leading and trailing "." and "-" go, and the result is cut to 128 characters.
 */
export function tagSafe(value: string): string {
  const ascii = value.normalize('NFKD').replace(/\p{M}+/gu, '');
  let tag = ascii
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+/, '')
    .replace(/[.-]+$/, '');
  tag = tag.slice(0, MAX_TAG_LENGTH).replace(/[.-]+$/, '');
  return TAG_PATTERN.test(tag) ? tag : '';
}

/** Tags a branch name may not take because other rules own them: latest, versions, sha-…. */
function reservedForOtherRules(tag: string): boolean {
  return tag === 'latest' || /^sha-[0-9a-f]{7}$/.test(tag) || /^\d+(?:\.\d+){0,2}(?:-.*)?$/.test(tag);
}

export interface TagInput {
  /** Repository name, already validated: `ghcr.io/acme/shop`. */
  image: string;
  /** The Git ref built: `refs/heads/feature/X`, `refs/tags/v1.2.3`, `refs/pull/12/merge`. */
  ref: string;
  /** Full commit SHA (at least 7 hex digits). */
  sha: string;
  defaultBranch: string;
  /** GitHub event name: push, pull_request, workflow_dispatch… */
  eventName: string;
}

/**
 * The tag names for a build, the unique `sha-<7 hex>` first:
 * - a branch: its tag-safe name (`feature/X` → `feature-x`), plus `latest` on the default branch.
 *   A branch whose tag-safe name would impersonate another rule's tag (`latest`, `1.2`, `sha-…`)
 *   gets the prefix `branch-`; a name with nothing usable left is dropped.
 * - a semver tag `v1.2.3`: `1.2.3`, `1.2`, `1` (`0.x` releases get no bare `0`); a prerelease
 *   `v1.2.3-rc.1` only `1.2.3-rc.1`.
 * - any other Git tag: its tag-safe name.
 * - a pull request (`refs/pull/12/…`): `pr-12`.
 */
export function tagNames(input: Omit<TagInput, 'image'>): string[] {
  const sha = input.sha.trim().toLowerCase();
  if (!/^[0-9a-f]{7,}$/.test(sha)) throw new Error(`Commit SHA "${input.sha}" is not hexadecimal (at least 7 digits).`);
  const tags = [`sha-${sha.slice(0, 7)}`];
  const { ref } = input;

  if (ref.startsWith('refs/heads/')) {
    const branch = ref.slice('refs/heads/'.length);
    const safe = tagSafe(branch);
    if (safe !== '') tags.push(reservedForOtherRules(safe) ? tagSafe(`branch-${safe}`) : safe);
    if (branch === input.defaultBranch) tags.push('latest');
  } else if (ref.startsWith('refs/tags/')) {
    const name = ref.slice('refs/tags/'.length);
    const version = parseSemver(name);
    if (version === undefined) {
      const safe = tagSafe(name);
      if (safe !== '' && safe !== 'latest') tags.push(safe);
    } else {
      const { major, minor, patch, prerelease, build } = version;
      const suffix = (prerelease ? `-${prerelease}` : '') + (build ? `-${build}` : '');
      tags.push(tagSafe(`${major}.${minor}.${patch}${suffix}`));
      if (!prerelease) {
        tags.push(`${major}.${minor}`);
        if (major !== '0') tags.push(major);
      }
    }
  } else {
    const pull = /^refs\/pull\/(\d+)\//.exec(ref);
    if (pull) tags.push(`pr-${pull[1]}`);
  }
  return [...new Set(tags.filter((tag) => TAG_PATTERN.test(tag)))];
}

/** Full references `<image>:<tag>`, the unique `sha-…` one first. See tagNames for the rules. */
export function imageTags(input: TagInput): string[] {
  return tagNames(input).map((tag) => `${input.image}:${tag}`);
}

// ---------------------------------------------------------------------------------------------------
// Labels

export interface LabelInput {
  /** Repository URL, e.g. https://github.com/acme/shop. */
  sourceUrl?: string;
  sha?: string;
  /** ISO 8601 time of the build. */
  created?: string;
  /** Version the image stands for: the semver or the unique tag. */
  version?: string;
  title?: string;
}

/** OCI annotation labels (`org.opencontainers.image.*`); empty values are left out. */
export function ociLabels(input: LabelInput): Record<string, string> {
  const entries: [string, string | undefined][] = [
    ['org.opencontainers.image.source', input.sourceUrl],
    ['org.opencontainers.image.revision', input.sha],
    ['org.opencontainers.image.created', input.created],
    ['org.opencontainers.image.version', input.version],
    ['org.opencontainers.image.title', input.title]
  ];
  const labels: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (value !== undefined && value.trim() !== '') labels[key] = value.trim();
  }
  return labels;
}

// ---------------------------------------------------------------------------------------------------
// Build command line

export interface BuildArg {
  name: string;
  value: string;
}

/**
 * Parses the `build-args` input: one `NAME=value` a line; blank lines and `#` comments are ignored;
 * the value is everything after the first `=` (trimmed). Accepts the raw text or its lines.
 * Errors name the input and the line number, never the line (it may hold a secret).
 */
export function parseBuildArgs(text: string | readonly string[]): BuildArg[] {
  const lines = typeof text === 'string' ? text.split(/\r?\n/) : text;
  const args: BuildArg[] = [];
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const equals = line.indexOf('=');
    if (equals < 0) {
      throw new Error(`Input \`build-args\`: line ${index + 1} has no "="; write one NAME=value a line.`);
    }
    const name = line.slice(0, equals).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new Error(
        `Input \`build-args\`: line ${index + 1} has an invalid name "${name.slice(0, 40)}"; ` +
          'use letters, digits and "_", not starting with a digit.'
      );
    }
    args.push({ name, value: line.slice(equals + 1).trim() });
  });
  return args;
}

export interface BuildPlan {
  /** `classic` runs `docker build`; `buildx` runs `docker buildx build` (real runners have it). */
  builder: 'classic' | 'buildx';
  dockerfile: string;
  context: string;
  /** Full references, e.g. from imageTags. */
  tags: readonly string[];
  labels?: Record<string, string>;
  buildArgs?: readonly BuildArg[];
  /** buildx only: push from the builder (`--push`) instead of loading into the engine (`--load`). */
  push?: boolean;
  /** buildx only: use the GitHub Actions cache backend (only inside Actions with the cache service). */
  ghaCache?: boolean;
  /** buildx only: where buildx writes the metadata JSON holding `containerimage.digest`. */
  metadataFile?: string;
}

/** A path that cannot be mistaken for a flag. */
function asOperand(path: string): string {
  return path.startsWith('-') ? `./${path}` : path;
}

/** The `docker` argument array (without `docker` itself) for a build. Never passed through a shell. */
export function buildArgs(plan: BuildPlan): string[] {
  if (plan.tags.length === 0) throw new Error('A build needs at least one tag.');
  const args = plan.builder === 'buildx' ? ['buildx', 'build'] : ['build'];
  args.push('-f', plan.dockerfile);
  for (const tag of plan.tags) args.push('-t', tag);
  for (const [key, value] of Object.entries(plan.labels ?? {})) args.push('--label', `${key}=${value}`);
  for (const { name, value } of plan.buildArgs ?? []) args.push('--build-arg', `${name}=${value}`);
  if (plan.builder === 'buildx') {
    // A plain image manifest, not an index with attestations: deploy targets take repo@digest of it.
    args.push('--provenance=false');
    args.push(plan.push ? '--push' : '--load');
    if (plan.ghaCache) args.push('--cache-from', 'type=gha', '--cache-to', 'type=gha,mode=max');
    if (plan.metadataFile) args.push('--metadata-file', plan.metadataFile);
  }
  args.push(asOperand(plan.context));
  return args;
}

// ---------------------------------------------------------------------------------------------------
// When to ship

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

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Whether `branch` is one of `patterns` (exact names or globs: `*` within a segment, `**` across). */
export function matchesBranch(branch: string, patterns: readonly string[]): boolean {
  return branchPatterns(patterns).some((pattern) => globToRegExp(pattern).test(branch));
}

function branchPatterns(patterns: readonly string[]): string[] {
  return patterns
    .map((pattern) => pattern.trim().replace(/^refs\/heads\//, ''))
    .filter((pattern) => pattern !== '' && !pattern.startsWith('#'));
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
        'This is a pull request: the image is not built (set `build-on-pull-request: true` to check the Dockerfile) ' +
          'and never pushed or deployed.'
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
    return nothing(
      `The event is \`${input.eventName}\`: images are pushed and deployed only for a push to a deploy branch or a version tag.`
    );
  }

  const given = branchPatterns(input.deployBranches);
  const patterns = given.length > 0 ? given : [input.defaultBranch];
  let target: string;
  if (input.ref.startsWith('refs/heads/')) {
    const branch = input.ref.slice('refs/heads/'.length);
    if (!matchesBranch(branch, patterns)) {
      return nothing(
        `Branch \`${branch}\` is not a deploy branch (${patterns.join(', ')}), so no image is built, pushed or deployed.`
      );
    }
    target = `a push to deploy branch \`${branch}\``;
  } else if (input.ref.startsWith('refs/tags/')) {
    const tag = input.ref.slice('refs/tags/'.length);
    if (!tag.startsWith('v') || parseSemver(tag) === undefined) {
      return nothing(
        `Tag \`${tag}\` is not a version tag (like v1.2.3), so no image is built, pushed or deployed.`
      );
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
