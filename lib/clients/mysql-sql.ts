// Literals for statements the agent builds itself, with nothing to escape:
// text as a hex literal with a character set introducer, integers checked,
// identifiers checked by syntax before they are backquoted.

// `name`: letters, digits, _ and $ only (no backquote to escape), 1–64 characters.
export function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z0-9_$]{1,64}$/.test(name)) throw new TypeError(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return `\`${name}\``;
}

// _utf8mb4 X'6e6f646531': the bytes of `value` as a utf8mb4 string, whatever
// it holds (quotes, backslashes) and whatever the sql_mode.
export const textLiteral = (value: string): string => `_utf8mb4 X'${Buffer.from(value, 'utf8').toString('hex')}'`;

export function integerLiteral(value: number): string {
  if (!Number.isSafeInteger(value)) throw new TypeError(`not an integer: ${value}`);
  return String(value);
}
