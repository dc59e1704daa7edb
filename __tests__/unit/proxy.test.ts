// Which requests go through the proxy: the toolkit's rules (HTTPS_PROXY / HTTP_PROXY, NO_PROXY,
// loopback always direct), and how a failure on the way names the proxy.
import { afterEach, describe, expect, test } from '@jest/globals';
import { proxyRoute, throughProxy } from '../../src/adapters/proxy.js';

const NAMES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];
const saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));
afterEach(() => {
  for (const name of NAMES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

function withProxyEnv(env: Record<string, string>): void {
  for (const name of NAMES) delete process.env[name];
  Object.assign(process.env, env);
}

const PROXY = { HTTPS_PROXY: 'http://user:secret@proxy.corp:3128', HTTP_PROXY: 'http://proxy.corp:8080' };

describe('which requests go through the proxy', () => {
  test.each<[string, Record<string, string>, string, string | undefined]>([
    ['https through HTTPS_PROXY (no credentials in the name)', PROXY, 'https://hooks.example.com/deploy', 'http://proxy.corp:3128'],
    ['http through HTTP_PROXY', PROXY, 'http://hooks.example.com/deploy', 'http://proxy.corp:8080'],
    ['lower-case variables', { https_proxy: 'http://proxy.corp:3128' }, 'https://a.example.com/', 'http://proxy.corp:3128'],
    ['a bare host name is an http proxy', { HTTPS_PROXY: 'proxy.corp' }, 'https://a.example.com/', 'http://proxy.corp'],
    // The toolkit parses `proxy.corp:3128` as a URL of scheme `proxy.corp:` with no host: no proxy.
    ['host:port without a scheme is no proxy, as for the toolkit', { HTTPS_PROXY: 'proxy.corp:3128' }, 'https://a.example.com/', undefined],
    ['no proxy variable: direct', {}, 'https://a.example.com/', undefined],
    ['loopback is always direct', PROXY, 'http://127.0.0.1:9000/', undefined],
    ['localhost is always direct', PROXY, 'http://localhost:9000/', undefined],
    ['NO_PROXY host', { ...PROXY, NO_PROXY: 'a.example.com' }, 'https://a.example.com/', undefined],
    ['NO_PROXY host covers its subdomains', { ...PROXY, NO_PROXY: 'example.com' }, 'https://a.example.com/', undefined],
    ['NO_PROXY leading-dot suffix', { ...PROXY, NO_PROXY: '.example.com' }, 'https://a.example.com/', undefined],
    ['NO_PROXY is not a substring match', { ...PROXY, NO_PROXY: 'ample.com' }, 'https://a.example.com/', 'http://proxy.corp:3128'],
    ['NO_PROXY host:port, same port', { ...PROXY, NO_PROXY: 'a.example.com:8443' }, 'https://a.example.com:8443/', undefined],
    ['NO_PROXY host:port, other port', { ...PROXY, NO_PROXY: 'a.example.com:8443' }, 'https://a.example.com/', 'http://proxy.corp:3128'],
    ['NO_PROXY host:port with the default port', { ...PROXY, NO_PROXY: 'a.example.com:443' }, 'https://a.example.com/', undefined],
    ['NO_PROXY *', { ...PROXY, NO_PROXY: '*' }, 'https://a.example.com/', undefined],
    ['NO_PROXY list with spaces', { ...PROXY, NO_PROXY: 'x.org, a.example.com ,y.org' }, 'https://a.example.com/', undefined]
  ])('%s', async (_, env, url, expected) => {
    withProxyEnv(env);
    const route = await proxyRoute(url);
    expect(route?.name).toBe(expected);
    if (route) expect(typeof (route.agent as unknown as { addRequest: unknown }).addRequest).toBe('function');
  });
});

describe('failures through the proxy name it', () => {
  test.each([
    ['tunneling socket could not be established, statusCode=403', 'the proxy http://p:3128 refused to open a tunnel (it answered 403)'],
    [
      'tunneling socket could not be established, cause=connect ECONNREFUSED 127.0.0.1:3128',
      'the proxy http://p:3128 could not be reached (connect ECONNREFUSED 127.0.0.1:3128)'
    ],
    ['socket hang up', 'socket hang up (through the proxy http://p:3128)']
  ])('%s', (message, expected) => expect(throughProxy(message, 'http://p:3128')).toBe(expected));
});
