// The build's plan: tags, labels, build arguments and the docker command line. No I/O: the inputs were
// checked in config.ts, so nothing here re-checks them.
import { resolve } from 'node:path';
import type { Config } from '../config.js';
import type { RunContext } from '../context.js';
import { SlipwayError, describeError } from '../errors.js';
import { ConfigError } from '../inputs.js';
import { imageTags, parseSemver } from './image-tags.js';

export interface ImagePlan {
  repository: string;
  /** Full references, the unique `sha-…` one first. */
  tags: string[];
  labels: Record<string, string>;
  buildArgs: readonly BuildArg[];
  /** Absolute paths. */
  dockerfile: string;
  context: string;
}

/** Tags, labels and paths of the build, computed before anything runs (or logs in). */
export function planImage(config: Config, context: RunContext): ImagePlan {
  const repository = config.image!;
  const { event } = context;
  let tags: string[];
  try {
    tags = imageTags({ image: repository, ref: event.ref, sha: event.sha, defaultBranch: event.defaultBranch, eventName: event.name });
  } catch (error) {
    throw new SlipwayError(`Cannot tag the image: ${describeError(error)} Run Slipway in a Git checkout with at least one commit.`);
  }
  const ref = event.ref;
  const versionTag = ref.startsWith('refs/tags/') ? parseSemver(ref.slice('refs/tags/'.length)) : undefined;
  const version = versionTag
    ? `${versionTag.major}.${versionTag.minor}.${versionTag.patch}${versionTag.prerelease ? `-${versionTag.prerelease}` : ''}`
    : ref.startsWith('refs/heads/')
      ? ref.slice('refs/heads/'.length)
      : undefined;
  const labels = ociLabels({
    sourceUrl: event.serverUrl && event.repository ? `${event.serverUrl.replace(/\/+$/, '')}/${event.repository}` : undefined,
    sha: event.sha,
    created: new Date().toISOString(),
    version,
    title: event.repository ? event.repository.split('/').pop() : repository.split('/').pop()
  });
  return {
    repository,
    tags,
    labels,
    buildArgs: config.buildArgs,
    dockerfile: resolve(config.workingDirectory, config.dockerfile),
    context: resolve(config.workingDirectory, config.context)
  };
}

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
 * Errors (ConfigError) name the input and the line number, never the line (it may hold a secret).
 */
export function parseBuildArgs(text: string | readonly string[]): BuildArg[] {
  const lines = typeof text === 'string' ? text.split(/\r?\n/) : text;
  const args: BuildArg[] = [];
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const equals = line.indexOf('=');
    if (equals < 0) {
      throw new ConfigError('build-args', `each line must be NAME=value; line ${index + 1} has no "=" (the line is not shown: it may hold a secret).`);
    }
    const name = line.slice(0, equals).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ConfigError(
        'build-args',
        `each line must be NAME=value; line ${index + 1} has an invalid name "${name.slice(0, 40)}": use letters, digits and "_", not starting with a digit.`
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

/**
 * Whether the builder pushes the image itself (buildx `--push`). Not when a smoke test must start it
 * first: then buildx loads it into the engine (`--load`) and `docker push` follows the smoke test.
 */
export function pushesFromBuilder(builder: BuildPlan['builder'], push: boolean, smokeTest: boolean): boolean {
  return builder === 'buildx' && push && !smokeTest;
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
