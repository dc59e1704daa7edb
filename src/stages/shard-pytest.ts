// pytest's share: the project's own command runs as written (its paths, `testpaths`, `--ignore`,
// markers and plugins all apply) through a launcher that adds a plugin keeping only this shard's
// test files. Other shards' files are not even imported; a test in a file the split did not know
// (a `python_files` pattern of the project's own) runs in the first shard, so that none is lost and
// none runs twice.

/** The launcher, next to `SHARD_FILE` in the run's report folder. */
export const PYTEST_SHARD_LAUNCHER = 'slipway_pytest_shard.py';
export const SHARD_FILE = 'slipway-shard.json';

export const PYTEST_SHARD_LAUNCHER_TEXT = `# Written by Slipway: runs pytest as \`python -m pytest\` would, with this shard's test files only.
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
# \`python -m\` puts the working directory first on sys.path; a script puts its own folder there.
if sys.path and os.path.abspath(sys.path[0] or ".") == here:
    sys.path[0] = os.getcwd()
else:
    sys.path.insert(0, os.getcwd())

with open(os.path.join(here, ${JSON.stringify(SHARD_FILE)}), encoding="utf-8") as f:
    share = json.load(f)
mine = set(os.path.realpath(p) for p in share["mine"])
known = set(os.path.realpath(p) for p in share["all"])
first = share["first"]


class SlipwayShard:
    def pytest_ignore_collect(self, collection_path, config):
        path = os.path.realpath(str(collection_path))
        if path in known and path not in mine:
            return True
        return None

    def pytest_collection_modifyitems(self, config, items):
        keep, drop = [], []
        for item in items:
            path = os.path.realpath(str(item.path))
            (keep if path in mine or (first and path not in known) else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep


import pytest  # noqa: E402

sys.exit(pytest.main(sys.argv[1:], plugins=[SlipwayShard()]))
`;
