// Each service's body for one Notice, within that service's limits, text from the project escaped
// for that service's markup. Pure: the notify stage sends what these return.
import type { ChatFormat } from './targets.js';
import { FAILING_SHOWN, type Notice } from './notice.js';

/** Slack: 40,000 characters per message text, 3,000 per section block. */
export const SLACK_TEXT_MAX = 40_000;
const SLACK_SECTION_MAX = 3000;
/** Discord: 2,000 characters of content, 4,096 of embed description, 256 of embed title. */
export const DISCORD_CONTENT_MAX = 2000;
const DISCORD_DESCRIPTION_MAX = 4096;
/** Teams refuses cards over about 28 KB; this leaves room for the envelope. */
export const TEAMS_CARD_MAX_BYTES = 25_000;
/** Google Chat: 4,096 characters of text keeps clear of its 32 KB message limit. */
export const GCHAT_TEXT_MAX = 4096;

/** `text` cut to `max` characters, ending in … when cut. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

interface Markup {
  escape(text: string): string;
  link(url: string, label: string): string;
  bold(text: string): string;
  code(text: string): string;
}

const slackMarkup: Markup = {
  escape: (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  link: (url, label) => `<${url}|${slackMarkup.escape(label).replace(/\|/g, '¦')}>`,
  bold: (t) => `*${t}*`,
  code: (t) => `\`${slackMarkup.escape(t).replace(/`/g, 'ˋ')}\``
};
const discordMarkup: Markup = {
  // Markdown's specials, and @ so a test name never pings anyone (allowed_mentions says so too).
  escape: (t) => t.replace(/[\\*_~`|>#[\]()-]/g, '\\$&').replace(/@/g, '@\u200b'),
  link: (url, label) => `[${discordMarkup.escape(label)}](${url})`,
  bold: (t) => `**${t}**`,
  code: (t) => `\`${t.replace(/`/g, 'ˋ')}\``
};
const teamsMarkup: Markup = {
  // Adaptive Cards render a small Markdown subset: emphasis, code and links are what text can trigger.
  escape: (t) => t.replace(/[\\*_~`[\]]/g, '\\$&'),
  link: (url, label) => `[${teamsMarkup.escape(label)}](${url})`,
  bold: (t) => `**${t}**`,
  code: (t) => `\`${t.replace(/`/g, 'ˋ')}\``
};
/** Plain text: mail bodies and generic consumers. */
const plain: Markup = { escape: (t) => t, link: (url, label) => `${label}: ${url}`, bold: (t) => t, code: (t) => t };

/** The lines under the headline, in one markup (the output block and the run link apart). */
function detailLines(notice: Notice, m: Markup): string[] {
  const lines: string[] = [];
  if (notice.failingTests.length > 0) {
    const more = notice.failingCount > FAILING_SHOWN ? ` (first ${FAILING_SHOWN} of ${notice.failingCount})` : '';
    lines.push(m.bold(`Failing tests${more}:`));
    for (const test of notice.failingTests) {
      const where = test.file ? ` ${m.code(`${test.file}${test.line ? `:${test.line}` : ''}`)}` : '';
      const message = test.message ? `: ${m.escape(cut(test.message.split('\n')[0]!, 200))}` : '';
      lines.push(`• ${m.escape(cut(test.name, 200))}${where}${message}`);
    }
  }
  if (notice.coverage !== undefined) lines.push(`Coverage: ${notice.coverage.toFixed(1)}%`);
  if (notice.image) lines.push(`Image: ${m.code(notice.image)}`);
  if (notice.deployUrl) lines.push(m.link(notice.deployUrl, 'Deployed at'));
  return lines;
}

function outputTitle(notice: Notice): string {
  if (!notice.output) return '';
  return `Output of ${notice.output.command}${notice.output.cut ? ' (its last 3,000 characters; the start was cut)' : ''}:`;
}

/** A code block that no output can close early. */
function fenced(text: string): string {
  return `\`\`\`\n${text.replace(/```/g, 'ˋˋˋ')}\n\`\`\``;
}

function runLink(notice: Notice, m: Markup): string[] {
  return notice.runUrl ? [m.link(notice.runUrl, `Run of ${notice.sha.slice(0, 7)}`)] : [];
}

export function slackBody(notice: Notice): object {
  const m = slackMarkup;
  const headline = m.escape(notice.headline);
  const details = [...detailLines(notice, m), ...runLink(notice, m)].join('\n');
  const blocks: object[] = [{ type: 'section', text: { type: 'mrkdwn', text: cut(headline, SLACK_SECTION_MAX) } }];
  if (details) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(details, SLACK_SECTION_MAX) } });
  if (notice.output) {
    const title = m.escape(outputTitle(notice));
    // Room for the title and the fences; the end of the output is what matters.
    const room = SLACK_SECTION_MAX - title.length - 10;
    const text = m.escape(notice.output.text);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `${title}\n${fenced(text.length > room ? `…${text.slice(-room + 1)}` : text)}` } });
  }
  const text = [headline, details, notice.output ? `${m.escape(outputTitle(notice))}\n${fenced(m.escape(notice.output.text))}` : ''].filter(Boolean).join('\n');
  return { text: cut(text, SLACK_TEXT_MAX), blocks };
}

export function discordBody(notice: Notice): object {
  const m = discordMarkup;
  const content = cut([m.escape(notice.headline), ...detailLines(notice, m), ...runLink(notice, m)].join('\n'), DISCORD_CONTENT_MAX);
  const embeds = notice.output
    ? [
        {
          title: cut(outputTitle(notice), 256),
          description: fenced(
            notice.output.text.length > DISCORD_DESCRIPTION_MAX - 20 ? `…${notice.output.text.slice(-(DISCORD_DESCRIPTION_MAX - 21))}` : notice.output.text
          ),
          ...(notice.runUrl ? { url: notice.runUrl } : {})
        }
      ]
    : [];
  return { content, embeds, allowed_mentions: { parse: [] } };
}

/** A Teams workflow webhook's message: one Adaptive Card, kept under TEAMS_CARD_MAX_BYTES. */
export function teamsBody(notice: Notice): object {
  const m = teamsMarkup;
  const card = (output: string | undefined): object => ({
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: m.escape(notice.headline), weight: 'Bolder', size: 'Medium', wrap: true },
            ...detailLines(notice, m).map((line) => ({ type: 'TextBlock', text: line, wrap: true, spacing: 'None' })),
            ...(output === undefined
              ? []
              : [
                  { type: 'TextBlock', text: m.escape(outputTitle(notice)), wrap: true },
                  { type: 'TextBlock', text: m.escape(output), fontType: 'Monospace', wrap: true }
                ])
          ],
          actions: notice.runUrl ? [{ type: 'Action.OpenUrl', title: 'Open the run', url: notice.runUrl }] : []
        }
      }
    ]
  });
  let output = notice.output?.text;
  let body = card(output);
  // Escaping and JSON can grow text several times: shorten the output until the card fits.
  while (Buffer.byteLength(JSON.stringify(body)) > TEAMS_CARD_MAX_BYTES && output) {
    output = `…${output.slice(Math.ceil(output.length / 4))}`;
    body = card(output.length > 1 ? output : undefined);
  }
  return body;
}

export function gchatBody(notice: Notice): object {
  const m = { ...slackMarkup, bold: (t: string) => `*${t}*` };
  const output = notice.output ? `${m.escape(outputTitle(notice))}\n${fenced(m.escape(notice.output.text))}` : '';
  const head = [m.escape(notice.headline), ...detailLines(notice, m), ...runLink(notice, m)].join('\n');
  // The output's end is what matters: cut its start when the message is too long.
  const room = GCHAT_TEXT_MAX - head.length - 1;
  const text = !output ? head : output.length <= room ? `${head}\n${output}` : `${head}\n…${output.slice(-(room - 1))}`;
  return { text: cut(text, GCHAT_TEXT_MAX) };
}

/** The generic JSON body: the Notice's documented fields as they are. */
export function jsonBody(notice: Notice): object {
  return {
    event: notice.kind,
    headline: notice.headline,
    repository: notice.repository,
    ref: notice.ref,
    sha: notice.sha,
    actor: notice.actor ?? null,
    result: notice.result,
    stages: notice.stages,
    failingTests: notice.failingTests,
    failingCount: notice.failingCount,
    coverage: notice.coverage ?? null,
    image: notice.image ?? null,
    deployUrl: notice.deployUrl ?? null,
    runUrl: notice.runUrl ?? null,
    output: notice.output ?? null
  };
}

export const chatBody: Record<ChatFormat, (notice: Notice) => object> = {
  slack: slackBody,
  discord: discordBody,
  teams: teamsBody,
  gchat: gchatBody,
  json: jsonBody
};

export interface Mail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A subject that says what happened, a plain-text body and a simple HTML one. */
export function mailBody(notice: Notice): Mail {
  const subject = cut(notice.headline.replace(/\s+/g, ' '), 200);
  const output = notice.output ? [outputTitle(notice), '', notice.output.text] : [];
  const text = [notice.headline, '', ...detailLines(notice, plain), ...runLink(notice, plain), ...(output.length ? ['', ...output] : [])].join('\n');
  const htmlMarkup: Markup = {
    escape: escapeHtml,
    link: (url, label) => `<a href="${escapeHtml(url)}">${escapeHtml(label)}</a>`,
    bold: (t) => `<b>${t}</b>`,
    code: (t) => `<code>${escapeHtml(t)}</code>`
  };
  const html = [
    `<p><b>${escapeHtml(notice.headline)}</b></p>`,
    ...detailLines(notice, htmlMarkup).map((line) => `<div>${line}</div>`),
    ...runLink(notice, htmlMarkup).map((line) => `<p>${line}</p>`),
    ...(notice.output ? [`<p>${escapeHtml(outputTitle(notice))}</p>`, `<pre>${escapeHtml(notice.output.text)}</pre>`] : [])
  ].join('\n');
  return { subject, text, html };
}
