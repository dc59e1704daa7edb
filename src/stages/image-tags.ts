// Tag rules: the unique `sha-<7 hex>` first, then the branch, `latest`, or the versions of a semver
// Git tag, all made valid Docker tags. Pure.

/** Docker's tag grammar: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const MAX_TAG_LENGTH = 128;

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
