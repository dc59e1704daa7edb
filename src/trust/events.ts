// Which events run code that the repository's owners did not write, with the repository's privileges.
// Such a run must not save caches (they would be restored by trusted runs), push images or deploy.

export interface EventPayload {
  action?: string;
  repository?: { default_branch?: string; full_name?: string };
  pull_request?: {
    number?: number;
    merged?: boolean;
    head?: { sha?: string; ref?: string; repo?: { full_name?: string } | null };
    base?: { ref?: string; sha?: string };
  };
}

/**
 * Why the event is untrusted, or undefined when it is trusted. `pull_request_target` carries the
 * base branch's cache scope and a write token while it may run a fork's code; a pull
 * request whose head lives in another repository (or in a deleted one) is a fork's.
 */
export function untrustedReason(eventName: string, repository: string, payload: EventPayload): string | undefined {
  if (eventName === 'pull_request_target') return 'a pull_request_target run (it may run a fork’s code with the base branch’s cache scope)';
  if (eventName === 'pull_request' || eventName === 'pull_request_review' || eventName === 'pull_request_review_comment') {
    const head = payload.pull_request?.head?.repo?.full_name;
    if (!head || head.toLowerCase() !== repository.toLowerCase()) return 'a pull request from a fork';
  }
  return undefined;
}
