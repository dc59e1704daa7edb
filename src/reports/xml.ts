// XML reading for the report parsers: fast-xml-parser into plain objects, and small tolerant
// accessors for attributes and text.

import { XMLParser } from 'fast-xml-parser';

/** An element as fast-xml-parser gives it: attributes under `@_name`, text under `#text`. */
export type XmlNode = Record<string, unknown>;

/**
 * Parse XML into plain objects. `arrayTags` are always arrays, so one child and many children
 * read the same. Numeric character references (`&#10;` in pytest messages) need `htmlEntities`.
 */
export function readXml(xml: string, arrayTags: ReadonlySet<string>): { root?: XmlNode; error?: string } {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    htmlEntities: true,
    jPath: false, // callbacks get a matcher instead of a path string built per tag: faster
    isArray: (name, _path, _leaf, isAttribute) => !isAttribute && arrayTags.has(name)
  });
  try {
    const parsed: unknown = parser.parse(xml.replace(/^\uFEFF/, ''));
    return isNode(parsed) ? { root: parsed } : { error: 'no elements found' };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

export function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Child elements named `tag`; an empty element (`<tag/>`) comes back as an empty node. */
export function children(node: XmlNode, tag: string): XmlNode[] {
  const value = node[tag];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((item) => (isNode(item) ? item : { '#text': typeof item === 'string' ? item : '' }));
}

export function attr(node: XmlNode, name: string): string | undefined {
  const value = node[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

export function textOf(node: XmlNode): string {
  const value = node['#text'];
  return typeof value === 'string' ? value : value === undefined ? '' : String(value);
}

/** A non-negative integer attribute; garbage and absurd values read as undefined. */
export function countAttr(node: XmlNode, name: string): number | undefined {
  const raw = attr(node, name)?.trim();
  if (!raw || !/^\+?\d+(\.0*)?$/.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? Math.min(Math.floor(value), Number.MAX_SAFE_INTEGER) : undefined;
}

// A comment matches exactly one way (its body cannot contain `-->`), so a run of comments
// cannot make these patterns backtrack exponentially.
const COMMENT = String.raw`<!--(?:[^-]|-(?!->))*-->`;
// Declarations, comments and a doctype may come before the root element.
const PROLOG_AND_ROOT = new RegExp(String.raw`^\s*(?:<\?[^>]*\?>\s*|${COMMENT}\s*|<!DOCTYPE[^>]*>\s*)*<([A-Za-z_][\w.:-]*)`);
const ONLY_COMMENTS_LEFT = new RegExp(String.raw`^\s*(?:${COMMENT}\s*)*$`);

/**
 * A complete document ends with its root's closing tag, or is a single self-closing root;
 * anything else was cut off. The parser forgives unclosed elements, so this is checked here.
 */
export function looksComplete(xml: string): boolean {
  const text = xml.replace(/^\uFEFF/, '');
  const head = PROLOG_AND_ROOT.exec(text.slice(0, 4096));
  const root = head?.[1];
  if (!head || !root) return false;
  const rest = text.slice(head[0].length);
  const selfClosing = /^(?:\s[^>]*)?\/>/.exec(rest.slice(0, 4096));
  if (selfClosing) return rest.length < 4096 && ONLY_COMMENTS_LEFT.test(rest.slice(selfClosing[0].length));
  const tail = text.slice(-4096);
  const close = tail.lastIndexOf(`</${root}`);
  const after = close >= 0 ? tail.slice(close + root.length + 2) : '';
  const bracket = /^\s*>/.exec(after);
  return bracket !== null && ONLY_COMMENTS_LEFT.test(after.slice(bracket[0].length));
}
