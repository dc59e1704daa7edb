// Http over Node's global fetch. Any answer, whatever its status, is a response; only "no answer"
// (network failure, timeout) throws. Error messages never contain the URL: deploy hooks carry keys.
import type { Http, HttpResponse } from '../ports.js';

export const fetchHttp: Http = {
  async request(method, url, options) {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        body: options.body,
        headers: options.headers,
        signal: AbortSignal.timeout(options.timeoutMs)
      });
    } catch (error) {
      throw new Error(noResponse(error, options.timeoutMs));
    }
    let body: string;
    try {
      body = await response.text();
    } catch (error) {
      throw new Error(noResponse(error, options.timeoutMs));
    }
    const headers: HttpResponse['headers'] = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    return { status: response.status, headers, body };
  }
};

/** "no response within 30000 ms" or the system error (ECONNREFUSED 127.0.0.1:8080), never the URL. */
function noResponse(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no response within ${timeoutMs} ms`;
  }
  // undici wraps the system error: TypeError('fetch failed', { cause: Error('connect ECONNREFUSED …') }).
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.message) return cause.message;
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message : String(error);
}
