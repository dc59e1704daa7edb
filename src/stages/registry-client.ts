// Registry API (Docker Registry HTTP API v2): what a tag points at and what an image's config says,
// without pulling it. Speaks the registry's auth (anonymous first, then Basic or a Bearer token from
// the realm it names) over HTTPS, or over plain HTTP when the registry answers that way; credentials
// go over plain HTTP to loopback registries only.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { HttpError, type Http, type HttpResponse } from '../ports.js';
import { registryOf, splitDomain } from './image-name.js';

const REGISTRY_TIMEOUT_MS = 30_000;
const REVISION_LABEL = 'org.opencontainers.image.revision';

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const MANIFEST_TYPES = [...INDEX_TYPES, 'application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');

export interface RegistryCredentials {
  username: string;
  password: string;
}

/** Host to call and repository path for an image name (Docker Hub: registry-1.docker.io, library/…). */
export function registryEndpoint(repository: string): { host: string; path: string } {
  const registry = registryOf(repository);
  let { path } = splitDomain(repository);
  if (registry === 'docker.io') {
    if (!path.includes('/')) path = `library/${path}`;
    return { host: 'registry-1.docker.io', path };
  }
  return { host: registry, path };
}

/** The digest of `repository:tag`, or undefined when the tag (or repository) does not exist. Throws with the reason for any other answer. */
export async function registryDigest(http: Http, repository: string, tag: string, credentials?: RegistryCredentials): Promise<string | undefined> {
  const registry = new RegistryReader(http, repository, credentials);
  const response = await registry.get(`manifests/${encodeURIComponent(tag)}`, MANIFEST_TYPES);
  if (response.status === 404) return undefined;
  registry.expectOk(response, `${registry.path}:${tag}`);
  const header = response.headers['docker-content-digest'];
  if (header && /^sha256:[0-9a-f]{64}$/.test(header)) return header;
  return `sha256:${createHash('sha256').update(response.body, 'utf8').digest('hex')}`;
}

/**
 * The commit an image was built from: its config's `org.opencontainers.image.revision` label
 * (linux/amd64, or the first real platform, of a multi-platform index). Undefined without the label.
 */
export async function registryRevision(http: Http, repository: string, digest: string, credentials?: RegistryCredentials): Promise<string | undefined> {
  const registry = new RegistryReader(http, repository, credentials);
  const json = async (resource: string, accept: string): Promise<Record<string, unknown>> => {
    const response = await registry.get(resource, accept);
    registry.expectOk(response, `${registry.path}@${resource.split('/').pop()!}`);
    return JSON.parse(response.body) as Record<string, unknown>;
  };
  let manifest = await json(`manifests/${digest}`, MANIFEST_TYPES);
  if (INDEX_TYPES.includes(String(manifest.mediaType)) || Array.isArray(manifest.manifests)) {
    const chosen = platformOf(manifest.manifests as { digest: string; platform?: { os?: string; architecture?: string } }[]);
    if (!chosen) return undefined;
    manifest = await json(`manifests/${chosen}`, MANIFEST_TYPES);
  }
  const config = (manifest.config as { digest?: string } | undefined)?.digest;
  if (!config) return undefined;
  return revisionOf(await json(`blobs/${config}`, '*/*'));
}

/** The revision label of an image config (`{config: {Labels}}`), or of the chosen platform's in a map by platform. */
export function revisionOf(image: unknown): string | undefined {
  const labels = (image as { config?: { Labels?: Record<string, unknown> | null } } | undefined)?.config?.Labels;
  if (labels) return typeof labels[REVISION_LABEL] === 'string' && labels[REVISION_LABEL] !== '' ? labels[REVISION_LABEL] : undefined;
  if (image && typeof image === 'object' && !('config' in image)) {
    const byPlatform = image as Record<string, unknown>;
    return revisionOf(byPlatform['linux/amd64'] ?? Object.values(byPlatform).find((entry) => entry && typeof entry === 'object'));
  }
  return undefined;
}

function platformOf(manifests: { digest: string; platform?: { os?: string; architecture?: string } }[] | undefined): string | undefined {
  const real = (manifests ?? []).filter((m) => m.platform?.os !== 'unknown'); // attestations are unknown/unknown
  return (real.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ?? real[0])?.digest;
}

/** GETs of one repository's resources: the scheme the registry speaks and the authorization it asked for. */
class RegistryReader {
  readonly host: string;
  readonly path: string;
  private scheme: 'https' | 'http' = 'https';
  private authorization?: string;

  constructor(
    private readonly http: Http,
    repository: string,
    private readonly credentials?: RegistryCredentials
  ) {
    ({ host: this.host, path: this.path } = registryEndpoint(repository));
  }

  async get(resource: string, accept: string): Promise<HttpResponse> {
    const response = await this.send(resource, accept);
    if (response.status !== 401 || this.authorization) return response;
    this.authorization = await this.authorize(response.headers['www-authenticate'] ?? '');
    return this.authorization ? this.send(resource, accept) : response;
  }

  expectOk(response: HttpResponse, what: string): void {
    if (response.status === 401) throw new Error(`${this.host} answered 401 for ${what}: check registry-username and registry-password`);
    if (response.status !== 200) throw new Error(`${this.host} answered ${response.status} for ${what}`);
  }

  private async send(resource: string, accept: string): Promise<HttpResponse> {
    const url = `${this.scheme}://${this.host}/v2/${this.path}/${resource}`;
    const headers = { Accept: accept, ...(this.authorization ? { Authorization: this.authorization } : {}) };
    try {
      return await this.http.request('GET', url, { timeoutMs: REGISTRY_TIMEOUT_MS, headers });
    } catch (error) {
      // A registry without TLS (an insecure registry in the Docker config) answers the hello in plain HTTP.
      if (this.scheme === 'https' && error instanceof HttpError && error.failure === 'not-tls') {
        this.scheme = 'http';
        return this.send(resource, accept);
      }
      throw error;
    }
  }

  /** The Authorization header the challenge asks for; undefined when there is nothing to answer it with. */
  private async authorize(challenge: string): Promise<string | undefined> {
    const basic = this.credentials && `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
    if (/^basic/i.test(challenge)) {
      this.refusePlainHttp(this.scheme, this.host);
      if (!basic) throw new Error(`${this.host} wants credentials (give registry-username and registry-password)`);
      return basic;
    }
    if (!/^bearer/i.test(challenge)) return undefined;
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
    if (!params.realm) throw new Error(`${this.host} answered 401 without a token realm`);
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set('service', params.service);
    tokenUrl.searchParams.set('scope', params.scope ?? `repository:${this.path}:pull`);
    if (basic) this.refusePlainHttp(tokenUrl.protocol.slice(0, -1), tokenUrl.host);
    const token = await this.http.request('GET', tokenUrl.href, { timeoutMs: REGISTRY_TIMEOUT_MS, headers: basic ? { Authorization: basic } : {} });
    if (token.status !== 200) throw new Error(`the token service of ${this.host} answered ${token.status}`);
    const parsed = JSON.parse(token.body) as { token?: string; access_token?: string };
    const bearer = parsed.token ?? parsed.access_token;
    if (!bearer) throw new Error(`the token service of ${this.host} returned no token`);
    return `Bearer ${bearer}`;
  }

  /** Plain HTTP carries the password in the clear: only to this machine. */
  private refusePlainHttp(scheme: string, host: string): void {
    if (scheme !== 'https' && !isLoopback(host)) {
      throw new Error(`the registry at ${host} does not speak HTTPS; registry credentials are not sent over plain HTTP`);
    }
  }
}

function isLoopback(host: string): boolean {
  const name = new URL(`http://${host}`).hostname.replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost') return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1';
}
