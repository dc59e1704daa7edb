// Artifacts over GitHub's artifact service, through @actions/artifact (v4+ artifacts: one zip per
// name, immutable). The library is large: it is imported on the first call, so that a run without
// shards never loads it.
import type { Artifacts } from '../../ports.js';
// A type-only import: erased from the bundle.
import type * as ArtifactModule from '@actions/artifact';

type ArtifactLibrary = typeof ArtifactModule;
let library: Promise<ArtifactLibrary> | undefined;
const loadLibrary = (): Promise<ArtifactLibrary> => (library ??= import('@actions/artifact'));

export function githubArtifacts(): Artifacts {
  const client = async (): Promise<InstanceType<ArtifactLibrary['DefaultArtifactClient']>> => new (await loadLibrary()).DefaultArtifactClient();
  /** The artifact's id, undefined when the run has none of that name. */
  const find = async (name: string): Promise<number | undefined> => {
    const lib = await loadLibrary();
    try {
      return (await (await client()).getArtifact(name)).artifact.id;
    } catch (error) {
      if (error instanceof lib.ArtifactNotFoundError) return undefined;
      throw error;
    }
  };
  return {
    async upload(name, files, root) {
      const artifacts = await client();
      // A re-run of the job finds its first attempt's artifact: names are unique in a run.
      if ((await find(name)) !== undefined) await artifacts.deleteArtifact(name);
      await artifacts.uploadArtifact(name, files, root, { retentionDays: 1, compressionLevel: 6 });
    },
    async list() {
      const { artifacts } = await (await client()).listArtifacts({ latest: true });
      return artifacts.map((artifact) => artifact.name);
    },
    async download(name, dir) {
      const id = await find(name);
      if (id === undefined) throw new Error(`no artifact named ${name} in this run`);
      await (await client()).downloadArtifact(id, { path: dir });
    }
  };
}
