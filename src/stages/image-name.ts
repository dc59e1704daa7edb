// The `image` input: a repository name in Docker's grammar (distribution/reference), without tag or
// digest, and the registry it names. Pure.

// distribution/reference grammar for repository names.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9A-Fa-f:]+\\])(?::[0-9]+)?$`);
const MAX_NAME_LENGTH = 255;

/** The registry part of an image name (when it has one) and the repository path after it. */
export function splitDomain(image: string): { domain?: string; path: string } {
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
 * Returns what is wrong and what to change (config.ts names the input), or undefined when valid.
 */
export function imageNameProblem(image: string): string | undefined {
  const name = image.trim();
  if (name === '') return 'is empty; give a repository name such as ghcr.io/acme/shop.';
  if (/\s/.test(name)) return `"${name}" contains whitespace; give one repository name such as ghcr.io/acme/shop.`;
  if (name.includes('@')) return `"${name}" includes a digest; give the repository name only (e.g. ghcr.io/acme/shop).`;
  if (name.includes('://')) return `"${name}" is a URL; give the repository name without a scheme (e.g. ghcr.io/acme/shop).`;
  const { domain, path } = splitDomain(name);
  if (path.includes(':')) {
    return `"${name}" includes a tag; give the repository name only (e.g. ghcr.io/acme/shop): Slipway chooses the tags (sha-…, branch, latest, versions).`;
  }
  if (domain !== undefined && !DOMAIN.test(domain)) return `"${domain}" is not a valid registry host[:port].`;
  if (path === '') return `"${name}" has an empty repository path after the registry.`;
  const components = path.split('/');
  if (components.some((part) => part === '')) return `"${name}" has an empty path component (a leading, trailing or double "/").`;
  if (path !== path.toLowerCase()) {
    return `"${name}" contains upper-case letters; repository names must be lower-case (try "${domain ? `${domain}/` : ''}${path.toLowerCase()}").`;
  }
  const bad = components.find((part) => !PATH_COMPONENT.test(part));
  if (bad !== undefined) {
    return `"${bad}" is not a valid path component of "${name}": use lower-case letters and digits, separated by single ".", "_", "__" or dashes.`;
  }
  if (name.length > MAX_NAME_LENGTH) return `is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}.`;
  return undefined;
}

/** The registry host (and port) an image is pushed to; `docker.io` when the name has none. */
export function registryOf(image: string): string {
  const { domain } = splitDomain(image.trim());
  if (domain === undefined || domain === 'index.docker.io' || domain === 'registry-1.docker.io') return 'docker.io';
  return domain;
}
