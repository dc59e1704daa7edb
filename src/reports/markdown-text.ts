// Text from tests, tools and paths made safe inside GitHub Markdown: no HTML of its own, no broken
// code spans or blocks, no mentions that would notify people, nothing GitHub would refuse to store.

/** Control characters (other than tab and newline) and lone surrogates become U+FFFD. */
export function cleanText(text: string): string {
  return (
    String(text ?? '')
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\uFFFD')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
  );
}

/** At most `max` characters (code points, never half of one), the last one `…` when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < 1) return '';
  const points = Array.from(text.slice(0, 2 * max + 2));
  return points.length <= max ? points.join('') : `${points.slice(0, max - 1).join('')}…`;
}

/** One line: line breaks and tabs become spaces. */
const oneLine = (text: string): string => cleanText(text).replace(/[\r\n\t]+/g, ' ');

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Inline Markdown text: HTML shown as text, no emphasis, links or table cells of its own, and a
 * zero-width space after `@` so a name in a message mentions nobody.
 */
export function escapeText(text: string): string {
  return escapeHtml(oneLine(text))
    .replace(/([\\`*_[\]~|])/g, '\\$1')
    .replace(/@/g, '@\u200B');
}

/**
 * A code span: shown literally (no HTML, emphasis, links or mentions). The fence is one backtick
 * longer than any run inside; spaces pad content that starts or ends with a backtick or a space.
 */
export function codeSpan(text: string): string {
  const content = oneLine(text);
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  if (content === '') return '` `';
  const pad = /^[` ]|[` ]$/.test(content) ? ' ' : '';
  return `${fence}${pad}${content}${pad}${fence}`;
}

/** A preformatted block of several lines, escaped; it ends exactly at its own `</pre>`. */
export function preBlock(lines: readonly string[]): string {
  return `<pre>${lines.map((line) => escapeHtml(cleanText(line).replace(/\r/g, ''))).join('\n')}</pre>`;
}

/** `[label](<url>)` for an http(s) URL, undefined for anything else (no `javascript:`, no relative paths). */
export function markdownLink(label: string, url: string | undefined, maxLength = 2000): string | undefined {
  if (typeof url !== 'string' || url.length > maxLength) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  // the WHATWG serialization percent-encodes spaces, quotes and angle brackets; parentheses stay, which <…> allows
  return `[${escapeText(label)}](<${parsed.href}>)`;
}
