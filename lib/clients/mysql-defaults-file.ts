// A my.cnf-style option file ("defaults file"), read the way libmysql /
// libmariadb read one (mysys my_default.c): [group] headers; name or
// name=value lines; # and ; comment lines; an unquoted # anywhere starts a
// comment; spaces around names and values dropped; one pair of matching
// quotes around a value removed; \n \t \r \b \s \" \' \\ escapes; - and _
// alike in names; a loose- prefix ignored; the last setting in the file wins.

// Groups the mysql/mariadb command-line client reads, in the order they matter (file order decides).
export const CLIENT_GROUPS: readonly string[] = ['client', 'client-mariadb', 'mysql', 'mariadb-client'];

export interface ClientOptions {
  user?: string;
  password?: string;
  socket?: string;
  host?: string;
  port?: string;
  // Lines this reader does not follow (!include, !includedir): the file must be self-contained.
  ignored: string[];
}

const KNOWN = new Set(['user', 'password', 'socket', 'host', 'port']);

export function parseDefaultsFile(text: string, groups: readonly string[] = CLIENT_GROUPS): ClientOptions {
  const wanted = new Set(groups.map((g) => g.toLowerCase()));
  const options: ClientOptions = {ignored: []};
  let inGroup = false;
  for (const [index, rawLine] of text.split(/\r?\n/).entries()) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('!')) {
      options.ignored.push(`line ${index + 1}: ${line.split(/\s+/)[0]}`);
      continue;
    }
    if (line.startsWith('[')) {
      const close = line.indexOf(']');
      inGroup = close > 0 && wanted.has(line.slice(1, close).trim().toLowerCase());
      continue;
    }
    if (!inGroup) continue;
    const content = removeEndComment(line);
    const equals = content.indexOf('=');
    const name = normaliseName((equals < 0 ? content : content.slice(0, equals)).trim());
    if (!KNOWN.has(name)) continue;
    const key = name as keyof Omit<ClientOptions, 'ignored'>;
    if (equals < 0) {
      // A bare "password" means "ask on the terminal": no password we can use.
      delete options[key];
      continue;
    }
    options[key] = unescapeValue(unquote(content.slice(equals + 1).trim()));
  }
  return options;
}

// "loose-user", "USER" → "user"; dashes and underscores are the same.
const normaliseName = (name: string): string => name.toLowerCase().replace(/_/g, '-').replace(/^loose-/, '');

// Cuts the line at the first # outside quotes (my_default.c remove_end_comment).
function removeEndComment(line: string): string {
  let quote = '';
  let escape = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if ((c === '"' || c === "'") && !escape) {
      if (!quote) quote = c;
      else if (quote === c) quote = '';
    }
    if (!quote && c === '#') return line.slice(0, i).trimEnd();
    escape = quote !== '' && c === '\\' && !escape;
  }
  return line;
}

// One pair of matching quotes around the whole value.
function unquote(value: string): string {
  const first = value[0];
  if ((first === '"' || first === "'") && value.length > 1 && value.at(-1) === first) return value.slice(1, -1);
  return value;
}

const ESCAPES: Readonly<Record<string, string>> = {n: '\n', t: '\t', r: '\r', b: '\b', s: ' ', '"': '"', "'": "'", '\\': '\\'};

function unescapeValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '\\' && i < value.length - 1) {
      const next = value[++i] as string;
      // Unknown escapes keep their backslash.
      out += ESCAPES[next] ?? `\\${next}`;
    } else {
      out += c;
    }
  }
  return out;
}
