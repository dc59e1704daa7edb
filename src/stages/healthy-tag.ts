// The last image that passed the health check, remembered in the registry itself as the moving tag
// `<image>:slipway-healthy`, so every runner (and the CLI) sees the same one: read it, read the commit
// it was built from, move it. Through buildx imagetools when there is buildx, else the registry API
// (reads) and the classic engine (the move).
import type { Config } from '../config.js';
import type { RunContext } from '../context.js';
import { describeError } from '../errors.js';
import type { Http, Reporter } from '../ports.js';
import type { StageLog } from '../stage-log.js';
import { docker, hasBuildx, lastLine, pushedDigest, type RegistrySession } from './docker.js';
import { registryDigest, registryRevision, revisionOf, type RegistryCredentials } from './registry-client.js';

/** The moving tag that marks the last image that passed the health check. */
export const HEALTHY_TAG = 'slipway-healthy';

type Previous = { digest?: string; note: string };

export class HealthyTag {
  private readonly tagged: string;

  constructor(
    private readonly config: Config,
    private readonly context: RunContext,
    private readonly ports: { http: Http; reporter: Reporter },
    private readonly repository: string,
    private readonly log: StageLog,
    private readonly mask: (text: string) => string,
    private readonly session: RegistrySession
  ) {
    this.tagged = `${repository}:${HEALTHY_TAG}`;
  }

  /** The digest the tag points at; none (with the reason) when it does not exist or cannot be read. */
  async read(): Promise<Previous> {
    try {
      if (await this.buildx()) {
        const inspect = await this.imagetools(this.tagged, '{{json .Manifest}}');
        if (inspect === undefined) return this.none();
        return this.found((JSON.parse(inspect) as { digest?: string }).digest);
      }
      const digest = await registryDigest(this.ports.http, this.repository, HEALTHY_TAG, this.credentials());
      return digest ? this.found(digest) : this.none();
    } catch (error) {
      const note = this.mask(`could not read ${this.tagged} (${describeError(error)})`);
      this.log.write(`Last healthy image unknown: ${note}.`);
      this.ports.reporter.warning(`Could not read the last healthy image ${this.tagged}: rollback will not be possible. ${this.mask(describeError(error))}`);
      return { note };
    }
  }

  /** The commit `digest` was built from (its org.opencontainers.image.revision label); undefined when unknown, with a log line. */
  async revision(digest: string): Promise<string | undefined> {
    const reference = `${this.repository}@${digest}`;
    try {
      const revision = (await this.buildx())
        ? revisionOf(JSON.parse((await this.imagetools(reference, '{{json .Image}}')) ?? 'null'))
        : await registryRevision(this.ports.http, this.repository, digest, this.credentials());
      if (!revision) this.log.write(`${reference} has no org.opencontainers.image.revision label.`);
      return revision;
    } catch (error) {
      this.log.write(this.mask(`Could not read the revision label of ${reference}: ${describeError(error)}`));
      return undefined;
    }
  }

  /** Moves the tag to `digest`. False (logged) when that failed. */
  async move(digest: string): Promise<boolean> {
    const session = this.session;
    const reference = `${this.repository}@${digest}`;
    const cwd = this.context.tempDir;
    try {
      if (await hasBuildx(session, cwd)) {
        // Registry-side: no pull, no local image needed (buildx may have pushed without loading).
        const create = await docker(session, ['buildx', 'imagetools', 'create', '--tag', this.tagged, reference], { cwd });
        return create.code === 0;
      }
      // Classic engine: the image is local after the build; the pull by digest makes sure of it and is
      // cheap when it is (podman cannot tag by digest otherwise).
      for (const args of [
        ['pull', reference],
        ['tag', reference, this.tagged]
      ]) {
        if ((await docker(session, args, { cwd, log: this.log })).code !== 0) return false;
      }
      const push = await docker(session, ['push', this.tagged], { cwd, log: this.log });
      const pushed = pushedDigest(push.stdout);
      if (push.code === 0 && pushed !== digest) {
        this.log.write(`${this.tagged} was pushed as ${pushed ?? 'an unknown digest'}, not ${digest}.`);
        return false;
      }
      if (push.code === 0) this.log.write(`${this.tagged} now points at ${digest}.`);
      return push.code === 0;
    } catch (error) {
      this.log.write(`Could not move ${this.tagged}: ${this.mask(describeError(error))}`);
      return false;
    }
  }

  private async buildx(): Promise<boolean> {
    return hasBuildx(this.session, this.context.tempDir);
  }

  /** `docker buildx imagetools inspect` output; undefined when the reference does not exist. */
  private async imagetools(reference: string, format: string): Promise<string | undefined> {
    const inspect = await docker(this.session, ['buildx', 'imagetools', 'inspect', reference, '--format', format], {
      cwd: this.context.tempDir,
      log: this.log
    });
    if (inspect.code === 0) return inspect.stdout;
    if (/not found|manifest unknown/i.test(inspect.stderr)) return undefined;
    throw new Error(lastLine(inspect.stderr) || `docker buildx imagetools inspect exited with ${inspect.code}`);
  }

  private found(digest: string | undefined): Previous {
    if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`no digest in the answer for ${this.tagged}`);
    this.log.write(`Last healthy image: ${this.repository}@${digest} (${this.tagged}).`);
    return { digest, note: `${this.tagged} is ${digest}` };
  }

  private none(): Previous {
    this.log.write(`No last healthy image: ${this.tagged} does not exist yet.`);
    return { note: `no image has passed the health check before (${this.tagged} does not exist)` };
  }

  private credentials(): RegistryCredentials | undefined {
    const { registryUsername: username, registryPassword: password } = this.config;
    return username && password ? { username, password } : undefined;
  }
}
