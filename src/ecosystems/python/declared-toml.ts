// Reading TOML documents (pyproject.toml, tox.toml) as plain data: a broken file reads as nothing,
// and pip, which reads it too, says what is wrong with it.
import { parse } from 'smol-toml';

export type TomlTable = Record<string, unknown>;

/** The parsed document, or undefined when the text is not valid TOML. */
export function readToml(text: string | undefined): TomlTable | undefined {
  if (text === undefined) return undefined;
  try {
    return parse(text) as TomlTable;
  } catch {
    return undefined;
  }
}

export function isTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The table at a dotted path of keys (`['tool', 'poetry']`), or undefined. */
export function tableAt(doc: TomlTable | undefined, keys: readonly string[]): TomlTable | undefined {
  let current: unknown = doc;
  for (const key of keys) current = isTable(current) ? current[key] : undefined;
  return isTable(current) ? current : undefined;
}

/** The strings of an array value (other entries, such as include-group tables, are skipped). */
export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Names that mean "what the tests need" for extras, groups and environments. */
export const TEST_NAMES = /^(dev|develop|development|test|tests|testing)$/i;
