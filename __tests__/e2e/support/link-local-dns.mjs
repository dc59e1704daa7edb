// Preloaded into the action's process (NODE_OPTIONS=--import=…) by tests of the link-local guard:
// names under `.link-local.test` resolve to 169.254.169.254, the cloud metadata address, as a
// hostile or mistaken DNS record would. A test machine's own resolver has no such name; every other
// name resolves as usual.
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';

const METADATA = '169.254.169.254';
const lookup = dns.lookup;

dns.lookup = function (hostname, options, callback) {
  if (typeof options === 'function') [callback, options] = [options, {}];
  if (!String(hostname).endsWith('.link-local.test')) return lookup.call(this, hostname, options, callback);
  const all = typeof options === 'object' && options !== null && options.all;
  process.nextTick(() => (all ? callback(null, [{ address: METADATA, family: 4 }]) : callback(null, METADATA, 4)));
};
syncBuiltinESMExports(); // `import { lookup } from 'node:dns'` sees this one too
