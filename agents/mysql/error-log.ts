// What an operator needs from a failed start's log: its [ERROR] lines (or,
// without any, its last lines), at most `max`, without the timestamp prefix.
export function summariseErrors(text: string, max = 3): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const errors = lines.filter((l) => /\[ERROR\]|^ERROR|\bFatal\b|Aborting/i.test(l));
  const chosen = (errors.length > 0 ? errors : lines).slice(-max);
  // "2026-12-02  4:03:13 0 [ERROR] ..." → "[ERROR] ..."
  return chosen.map((l) => l.replace(/^\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2}:\d{2}\s+\d+\s+/, '')).join(' | ');
}
