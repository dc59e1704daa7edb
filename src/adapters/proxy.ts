// Proxies exactly as the actions toolkit decides: its rules (HTTPS_PROXY / HTTP_PROXY, NO_PROXY
// hosts, suffixes and ports, `*`, loopback always direct) and its tunnelling agent (CONNECT through
// the proxy, for http and https alike). The client is loaded only when a proxy applies, so a run
// without one pays nothing for it.
import type { Agent } from 'node:http';
import { getProxyUrl } from '@actions/http-client/lib/proxy';

export interface ProxyRoute {
  agent: Agent;
  /** `http://proxy:3128`: how messages name the proxy (never its credentials). */
  name: string;
}

/** The proxy a request to `url` goes through, or undefined when it goes direct. */
export async function proxyRoute(url: string): Promise<ProxyRoute | undefined> {
  const proxy = getProxyUrl(new URL(url));
  if (!proxy?.hostname) return undefined;
  const { HttpClient } = await import('@actions/http-client');
  return { agent: new HttpClient('slipway').getAgent(url), name: `${proxy.protocol}//${proxy.host}` };
}

/**
 * A failure on the way through the proxy, in words that name it: the tunnelling agent says
 * "tunneling socket could not be established, statusCode=403" or "…, cause=connect ECONNREFUSED …".
 */
export function throughProxy(message: string, proxy: string): string {
  const status = /tunneling socket could not be established, statusCode=(\d+)/.exec(message)?.[1];
  if (status) return `the proxy ${proxy} refused to open a tunnel (it answered ${status})`;
  const cause = /tunneling socket could not be established, cause=(.*)/.exec(message)?.[1];
  if (cause) return `the proxy ${proxy} could not be reached (${cause})`;
  return `${message} (through the proxy ${proxy})`;
}
