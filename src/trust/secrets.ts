// Every secret value of a run in one place: the reporter masks them in what it prints, and the
// process runner keeps them out of the environment of what Slipway starts.
export class Secrets {
  private readonly known = new Set<string>();

  /** Adds a value, and each of its lines (the runner masks line by line). */
  add(value: string): void {
    for (const part of [value, ...value.split(/\r?\n/)]) if (part.trim() !== '') this.known.add(part);
  }

  values(): string[] {
    return [...this.known];
  }

  /** Replaces every known secret (longest first, so no piece of a longer one is left) with ***. */
  mask(text: string): string {
    return [...this.known].sort((a, b) => b.length - a.length).reduce((out, secret) => out.split(secret).join('***'), text);
  }
}
