const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000};

// "200ms", "10s", "2m", "1h", "1d" or a bare number in `bareUnit` → milliseconds;
// undefined when the text is not a duration.
export function parseDuration(text: string, bareUnit: 's' | 'ms'): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? '').toLowerCase() || bareUnit;
  const factor = UNIT_MS[unit];
  if (factor === undefined) return undefined;
  return Math.round(Number(match[1]) * factor);
}
