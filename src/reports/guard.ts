// Report parsers never throw: a report they cannot read yields nothing and one warning saying why.

/** `parse` over what should be text; when it throws, `failed` gets the reason and says what was not read. */
export function neverThrows<T>(input: unknown, parse: (text: string) => T, failed: (reason: string) => T): T {
  try {
    return parse(typeof input === 'string' ? input : String(input ?? ''));
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  }
}
