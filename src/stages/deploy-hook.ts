// The deploy hook call: every call may start a deploy, so it is repeated only as hook-call.ts allows.
import type { Config } from '../config.js';
import { formatDuration } from '../format.js';
import { hookRequest } from './deploy-plan.js';
import { callActingHook, type HookFailure, type HookPorts } from './hook-call.js';

/**
 * 30 s. The host's SLIPWAY_TEST_HOOK_TIMEOUT_SECONDS shortens it (`hookTimeoutMs`): the end-to-end
 * tests of a hook that never answers set it, so they need not wait 30 s. Not an input: users have no
 * reason to change it.
 */
export const HOOK_TIMEOUT_MS = 30_000;

export type HookResult = { ok: true } | HookFailure;

export interface HookCaller extends HookPorts {
  config: Config;
  hookTimeoutMs: number;
}

/** POSTs `imageRef` to the deploy hook; retries only what cannot have reached the host, 408, 429 and 5xx. */
export async function callHook(caller: HookCaller, imageRef: string): Promise<HookResult> {
  const { config } = caller;
  // The URL was checked in config.ts.
  const request = hookRequest(config.deployHook!, config.deployHookImageParam, imageRef);
  const what = `POST deploy hook${config.deployHookImageParam ? ` (${config.deployHookImageParam}=${imageRef})` : ''}`;
  const call = { what, ...request, timeoutMs: caller.hookTimeoutMs, mayHave: 'it may have started a deploy' };
  const answer = await callActingHook(caller, call);
  if (!answer.ok) return answer;
  caller.log.write(`${what}: ${answer.response.status} in ${formatDuration(answer.ms)}${deployId(answer.response.body)}`);
  return { ok: true };
}

/** Render answers `{"deploy":{"id":"dep-…"}}`; the id is worth a log line. */
function deployId(body: string): string {
  try {
    const id = (JSON.parse(body) as { deploy?: { id?: unknown } }).deploy?.id;
    return typeof id === 'string' ? ` (deploy ${id})` : '';
  } catch {
    return '';
  }
}
