import {appendFileSync} from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  // Values (passwords) replaced by "****" in every later message.
  redact(...secrets: string[]): void;
  // The same text with every registered secret hidden.
  scrub(message: string): string;
}

export interface LoggerOptions {
  tag: string;
  debug: boolean;
  logFile?: string | undefined;
  debugLogFile?: string | undefined;
  write?: (line: string) => void;
  now?: () => Date;
}

const LEVEL_LABEL: Record<LogLevel, string> = {debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR'};

// Logs the way ocf-shellfuncs does: stderr (captured by pacemaker-execd),
// HA_LOGFILE for everything, HA_DEBUGLOG as well; debug lines only with
// HA_debug/OCF_TRACE_RA. Log files are best effort: a full disk must not fail an action.
export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? (() => new Date());
  const secrets: string[] = [];
  const scrub = (message: string): string => {
    let text = message;
    for (const secret of secrets) text = text.split(secret).join('****');
    return text;
  };
  const emit = (level: LogLevel, message: string): void => {
    if (level === 'debug' && !options.debug) return;
    const text = `${options.tag}[${process.pid}]: ${LEVEL_LABEL[level]}: ${scrub(message)}\n`;
    write(text);
    const stamped = `${now().toISOString()} ${text}`;
    const files = new Set([options.logFile, options.debugLogFile].filter((f): f is string => !!f));
    for (const file of files) {
      try {
        appendFileSync(file, stamped);
      } catch {
        // best effort
      }
    }
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    redact: (...values) => {
      for (const v of values) if (v.length > 0 && !secrets.includes(v)) secrets.push(v);
      secrets.sort((a, b) => b.length - a.length);
    },
    scrub,
  };
}
