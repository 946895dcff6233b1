// What an operator needs from a failed start: the node log's [error] lines
// and the server output's last lines (BOOT FAILED, a listener it could not
// open), at most `max`, without timestamps and process ids.
export function summariseStartFailure(nodeLog: string, startupLog: string, max = 3): string {
  const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
  const strip = (l: string) => l.replace(/^\d{4}-\d{2}-\d{2}[ T][\d:.]+(?:[+-]\d{2}:\d{2})?\s+/, '').replace(/<\d+\.\d+\.\d+>\s*/, '');
  const errors = lines(nodeLog).filter((l) => /\[(error|critical)\]/.test(l) && !/^\S+ \[error\] <[\d.]+>\s*$/.test(l));
  const output = lines(startupLog).filter((l) => /BOOT FAILED|error|Error|eaddrinuse|failed|cannot|could not/i.test(l));
  const chosen = [...errors.map(strip), ...output].filter((l) => !/^\[error\]\s*$/.test(l) && l !== '=' && l.length > 3);
  const unique = [...new Set(chosen)];
  return unique.slice(-max).join(' | ') || lines(startupLog).slice(-max).join(' | ');
}
