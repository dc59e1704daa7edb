// The preview hook call: a JSON body signed as GitHub signs its webhooks (HMAC-SHA256 of the exact bytes
// sent, hex, in X-Slipway-Signature-256), repeated only as hook-call.ts allows (as the deploy hook).
import { createHmac, randomUUID } from 'node:crypto';
import { formatDuration } from '../format.js';
import { callActingHook, type HookFailure, type HookPorts } from './hook-call.js';

export const SIGNATURE_HEADER = 'X-Slipway-Signature-256';

/** `sha256=<hex of HMAC-SHA256(secret, body)>`: what a receiver recomputes over the raw body it got. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** The request's headers: the signature, the action, and one delivery id shared by the retries of one call (receivers may drop repeats). */
export function previewHeaders(secret: string, body: string, action: string, delivery: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'Slipway',
    [SIGNATURE_HEADER]: signature(secret, body),
    'X-Slipway-Event': `preview.${action}`,
    'X-Slipway-Delivery': delivery
  };
}

export type PreviewHookResult = { ok: true; body: string } | HookFailure;

export interface PreviewHookCaller extends HookPorts {
  timeoutMs: number;
}

/** POSTs `body` to `hook`, signed with `secret`; returns the answer's body on a 2xx. */
export async function callPreviewHook(caller: PreviewHookCaller, hook: string, secret: string, action: string, body: string): Promise<PreviewHookResult> {
  const what = `POST preview hook (${action})`;
  const headers = previewHeaders(secret, body, action, randomUUID());
  const answer = await callActingHook(caller, {
    what,
    method: 'POST',
    url: hook,
    body,
    headers,
    timeoutMs: caller.timeoutMs,
    mayHave: 'it may have acted on the call'
  });
  if (!answer.ok) return answer;
  caller.log.write(caller.mask(`${what}: ${answer.response.status} in ${formatDuration(answer.ms)}`));
  return { ok: true, body: answer.response.body };
}
