// Table-driven tests of the escaping that keeps text from tests, tools and paths inert in GitHub Markdown.

import { describe, expect, test } from '@jest/globals';
import { cleanText, codeSpan, escapeText, markdownLink, preBlock, truncate } from '../../src/reports/markdown-text.js';

describe('codeSpan', () => {
  test.each<[string, string, string]>([
    ['plain', 'shop/cart.py', '`shop/cart.py`'],
    ['a backtick inside', 'a`b', '``a`b``'],
    ['a run of three', 'x```y', '````x```y````'],
    ['starts with a backtick', '`x', '`` `x ``'],
    ['ends with a space', 'x ', '` x  `'],
    ['empty', '', '` `'],
    ['HTML and mentions stay literal', '<b>@octocat</b>', '`<b>@octocat</b>`'],
    ['line breaks become spaces', 'a\r\nb\nc\td', '`a b c d`'],
    ['control characters', 'a\u0000b', '`a\uFFFDb`']
  ])('%s', (_label, text, span) => {
    expect(codeSpan(text)).toBe(span);
  });
});

describe('escapeText', () => {
  test.each<[string, string, string]>([
    ['HTML', '<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['entities', 'a &amp; b', 'a &amp;amp; b'],
    ['emphasis and code', '*a* _b_ `c` ~d~', '\\*a\\* \\_b\\_ \\`c\\` \\~d\\~'],
    ['links', '[x](javascript:alert(1))', '\\[x\\](javascript:alert(1))'],
    ['table cells', 'a | b', 'a \\| b'],
    ['backslashes', 'C:\\dir', 'C:\\\\dir'],
    ['mentions notify nobody', 'ask @octocat or @org/team', 'ask @\u200Boctocat or @\u200Borg/team'],
    ['one line', 'a\nb', 'a b']
  ])('%s', (_label, text, escaped) => {
    expect(escapeText(text)).toBe(escaped);
  });
});

describe('preBlock', () => {
  test.each<[string, string[], string]>([
    ['escaped lines', ['assert 1 < 2', '</pre><script>'], '<pre>assert 1 &lt; 2\n&lt;/pre&gt;&lt;script&gt;</pre>'],
    ['carriage returns dropped', ['a\r'], '<pre>a</pre>'],
    ['empty', [], '<pre></pre>']
  ])('%s', (_label, lines, block) => {
    expect(preBlock(lines)).toBe(block);
  });
});

describe('truncate and cleanText', () => {
  test.each<[string, number, string]>([
    ['short', 10, 'short'],
    ['abcdef', 4, 'abc…'],
    ['🚀🚀🚀🚀', 3, '🚀🚀…'],
    ['ab🚀', 3, 'ab🚀'],
    ['abc', 0, '']
  ])('truncate(%p, %d) is %p', (text, max, cut) => {
    expect(truncate(text, max)).toBe(cut);
  });

  test.each<[string, string]>([
    ['a\uD800b', 'a\uFFFDb'],
    ['a\uDC00', 'a\uFFFD'],
    ['🚀', '🚀'],
    ['tab\tand\nline', 'tab\tand\nline'],
    ['\u0007bell\u007f', '\uFFFDbell\uFFFD']
  ])('cleanText(%j)', (text, clean) => {
    expect(cleanText(text)).toBe(clean);
  });
});

describe('markdownLink', () => {
  test.each<[string, string | undefined, string | undefined]>([
    ['Preview', 'https://shop-pr-12.onrender.com', '[Preview](<https://shop-pr-12.onrender.com/>)'],
    ['Run', 'https://github.com/a/b/actions/runs/1?x=<y>', '[Run](<https://github.com/a/b/actions/runs/1?x=%3Cy%3E>)'],
    ['Paren', 'http://h/a(b)', '[Paren](<http://h/a(b)>)'],
    ['*bold*', 'https://h/', '[\\*bold\\*](<https://h/>)'],
    ['script', 'javascript:alert(1)', undefined],
    ['relative', '/a/b', undefined],
    ['none', undefined, undefined],
    ['too long', `https://h/${'a'.repeat(3000)}`, undefined]
  ])('%s', (label, url, link) => {
    expect(markdownLink(label, url)).toBe(link);
  });
});
