// Errors that carry a message written for the person reading the log: entry points print these
// without a stack trace. Anything else is a bug in Slipway and keeps its stack.

export class SlipwayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlipwayError';
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
