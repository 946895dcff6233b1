// OCF_CHECK_LEVEL rounded down to the nearest depth the action supports
// (OCF spec: "perform the next lower supported level"); below all, the lowest.
export function roundCheckLevel(requested: number, supported: readonly number[]): number {
  const sorted = [...new Set(supported)].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  let level = sorted[0] as number;
  for (const depth of sorted) if (depth <= requested) level = depth;
  return level;
}
