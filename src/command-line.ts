// User-given commands (install-command, test-command, lint-command) are split into argument arrays
// here and run without a shell, so nothing in a value is ever interpreted by one. Users who need
// pipes or `&&` write `bash -c '…'` and opt in to a shell explicitly.

/** Splits one command line into arguments, honouring single quotes, double quotes and backslashes. */
export function splitCommandLine(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let inArgument = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else current += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) current += line[++i];
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inArgument = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      current += line[++i];
      inArgument = true;
    } else if (/\s/.test(ch)) {
      if (inArgument) args.push(current);
      current = '';
      inArgument = false;
    } else {
      current += ch;
      inArgument = true;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} quote`);
  if (inArgument) args.push(current);
  return args;
}

/** Splits a multi-line value into commands, one a line; blank lines and `#` comments are ignored. */
export function splitCommands(value: string): string[][] {
  return value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map(splitCommandLine);
}

/** Renders an argument array for a person to read (and to paste into a POSIX shell). */
export function formatCommand(args: readonly string[]): string {
  return args.map((arg) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}
