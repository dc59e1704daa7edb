// The `notify` targets: what each line means, what of it is secret, and how a message may name it.
// Pure. A webhook URL carries its key in its path or query, so no message here is built from one.
import { secretsOfUrl } from '../stages/deploy-plan.js';

export type ChatFormat = 'slack' | 'discord' | 'teams' | 'gchat' | 'json';

export type NotifyTarget = { kind: 'webhook'; format: ChatFormat; url: string } | { kind: 'mail'; to: string[] };

export const NOTIFY_EVENTS = ['failure', 'recovery', 'success', 'deploy', 'rollback'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

const FORMATS: readonly ChatFormat[] = ['slack', 'discord', 'teams', 'gchat', 'json'];
const ADDRESS = /^[^\s@,<>"]+@[^\s@,<>"]+\.[^\s@,<>"]+$|^[^\s@,<>"]+@(localhost|\d+\.\d+\.\d+\.\d+)$/;

/** The services' webhook hosts; anything else is generic JSON unless a prefix says otherwise. */
function formatOfHost(url: URL): ChatFormat {
  const host = url.hostname.toLowerCase();
  if (host === 'hooks.slack.com') return 'slack';
  if (/(^|\.)discord(app)?\.com$/.test(host) && url.pathname.startsWith('/api/webhooks/')) return 'discord';
  if (/\.webhook\.office\.com$|\.logic\.azure\.com$|\.api\.powerplatform\.com$/.test(host)) return 'teams';
  if (host === 'chat.googleapis.com') return 'gchat';
  return 'json';
}

/** A mailto address as written, %-escapes decoded when they are valid. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function isAddress(value: string): boolean {
  return ADDRESS.test(value);
}

/** One `notify` line as a target, or a problem (never containing the line: it is a secret). */
export function parseTarget(line: string): NotifyTarget | { problem: string } {
  const mailto = /^mailto:(.*)$/i.exec(line);
  if (mailto) {
    const to = mailto[1]!
      .split(',')
      .map((address) => decoded(address.trim()))
      .filter((address) => address !== '');
    if (to.length === 0 || !to.every(isAddress))
      return { problem: 'is a mailto: target whose addresses are not all addresses; write mailto:a@example.com,b@example.com' };
    return { kind: 'mail', to };
  }
  const prefix = /^([a-z]+):(?!\/\/)(.*)$/i.exec(line);
  const forced = prefix ? (prefix[1]!.toLowerCase() as ChatFormat) : undefined;
  if (forced && !FORMATS.includes(forced)) return { problem: `starts with an unknown prefix; use one of ${FORMATS.map((f) => `${f}:`).join(', ')} or none` };
  const raw = prefix ? prefix[2]!.trim() : line;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'is not an http(s) URL or a mailto: target' };
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '') return { problem: 'is not an http(s) URL or a mailto: target' };
  return { kind: 'webhook', format: forced ?? formatOfHost(url), url: raw };
}

/** How a message names a target: its kind and host, never its path or query (where the key is). */
export function shownTarget(target: NotifyTarget): string {
  if (target.kind === 'mail') return `mail to ${target.to.join(', ')}`;
  const url = new URL(target.url);
  return `${target.format} webhook ${url.protocol}//${url.host}/…`;
}

/**
 * What to mask of a webhook URL besides the URL itself: its query values, user and password, and the
 * parts of its path that look like keys (Slack's and Discord's are path segments) — 8 characters or
 * more with a digit, so words such as `services` or `webhooks` stay readable in the log.
 */
export function secretsOfWebhook(raw: string): string[] {
  const secrets = new Set<string>([raw]);
  const url = new URL(raw);
  const add = (value: string): void => {
    if (value.length >= 4) secrets.add(value);
  };
  add(url.href);
  const keyLike = (part: string): void => {
    if (part.length >= 8 && /\d/.test(part)) secrets.add(part);
  };
  keyLike(url.pathname.replace(/^\/+/, ''));
  url.pathname.split('/').forEach(keyLike);
  for (const [, value] of url.searchParams) add(value);
  add(decodeURIComponent(url.username));
  add(decodeURIComponent(url.password));
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** The `notify-on` list: known events only, duplicates dropped. */
export function parseNotifyOn(value: string): NotifyEvent[] | { problem: string } {
  const items = value
    .split(/[\s,]+/)
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
  const unknown = items.filter((item) => !(NOTIFY_EVENTS as readonly string[]).includes(item));
  if (unknown.length > 0) return { problem: `"${unknown.join(', ')}" is not an event; use any of ${NOTIFY_EVENTS.join(', ')}.` };
  return [...new Set(items)] as NotifyEvent[];
}

/** smtp:// or smtps:// with a host; the value is a secret and is never echoed. */
export function smtpUrlProblem(value: string): string | undefined {
  const problem = 'is not smtp://user:password@host:port or smtps://…; the value is a secret, so it is not shown.';
  try {
    const url = new URL(value);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '' ? undefined : problem;
  } catch {
    return problem;
  }
}

/**
 * Everything to mask of the raw `notify` and `smtp-url` values, before they are checked: each
 * webhook's keys, the mail server's user and password. A line that is no URL is masked whole.
 */
export function notifySecrets(notify: string, smtpUrl: string): string[] {
  const secrets = new Set<string>();
  for (const line of notify.split(/\r?\n/).map((l) => l.trim())) {
    if (line === '' || line.startsWith('#') || /^mailto:/i.test(line)) continue;
    secrets.add(line);
    const url = line.replace(/^[a-z]+:(?!\/\/)/i, '');
    if (URL.canParse(url)) secretsOfWebhook(url).forEach((secret) => secrets.add(secret));
  }
  if (smtpUrl.trim() !== '') secretsOfUrl(smtpUrl).forEach((secret) => secrets.add(secret));
  return [...secrets];
}
