/**
 * Duplicate object keys in JSON text. `JSON.parse` keeps the last of them silently, so a body can
 * say one thing to a proxy or a log reader that keeps the first and another to the service; the
 * API refuses such bodies instead.
 *
 * Contract of {@link duplicateKey}: given `text` that `JSON.parse` accepted and the value it
 * returned, it answers null exactly when no object in the text repeats a key (compared after
 * unescaping, as `JSON.parse` compares them), else the JSON Pointer of the first repeated key. The
 * common case costs two cheap passes: the key tokens in the text are counted (a string followed,
 * after optional whitespace, by `:`; the text is valid JSON, so nothing else is), and the keys of
 * the parsed value are counted. Each key token either creates a property or overwrites one, and
 * only a repeat overwrites, so the counts are equal exactly when there is no repeat. Only a body
 * with a repeat is walked again, by {@link firstDuplicate}, to name it.
 */
export function duplicateKey(text: string, parsed: unknown): string | null {
  return keyTokens(text) === parsedKeys(parsed) ? null : firstDuplicate(text);
}

/** The index of the quote closing the string whose opening quote is at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  let j = text.indexOf('"', open + 1);
  while (j !== -1) {
    // A quote preceded by an odd run of backslashes is escaped.
    let b = j - 1;
    while (text.charCodeAt(b) === 0x5c) b--;
    if ((j - 1 - b) % 2 === 0) return j;
    j = text.indexOf('"', j + 1);
  }
  return -1;
}

/** The index of the first character at or after `i` that is not JSON whitespace. */
function skipSpace(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = text.charCodeAt(++i);
  return i;
}

/** Key tokens in valid JSON text: strings followed by a colon. */
function keyTokens(text: string): number {
  let n = 0;
  let i = text.indexOf('"');
  while (i !== -1) {
    const j = closingQuote(text, i);
    if (j === -1) return n;
    const k = skipSpace(text, j + 1);
    if (text.charCodeAt(k) === 0x3a) n++;
    i = text.indexOf('"', k);
  }
  return n;
}

/** Own keys of every object in a parsed JSON value. */
function parsedKeys(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let n = 0;
  if (Array.isArray(value)) {
    for (const item of value) n += parsedKeys(item);
    return n;
  }
  for (const key of Object.keys(value)) n += 1 + parsedKeys((value as Record<string, unknown>)[key]);
  return n;
}

/** `~` and `/` escaped as a JSON Pointer segment. */
function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

interface Container {
  /** Keys seen so far (objects), or null (arrays). */
  readonly keys: Set<string> | null;
  /** Pointer of this container. */
  readonly path: string;
  /** Next array index. */
  index: number;
}

/**
 * The pointer of the first key that repeats within its object, walking valid JSON text token by
 * token; null when none does.
 */
function firstDuplicate(text: string): string | null {
  const stack: Container[] = [];
  // The pointer the next value would have: set by a key, or by an array position.
  let pending = '';
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const j = closingQuote(text, i);
      const k = skipSpace(text, j + 1);
      const top = stack[stack.length - 1];
      if (text.charCodeAt(k) === 0x3a && top !== undefined && top.keys !== null) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        const path = `${top.path}/${pointerSegment(key)}`;
        if (top.keys.has(key)) return path;
        top.keys.add(key);
        pending = path;
        i = k + 1;
      } else i = j + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      const top = stack[stack.length - 1];
      const path = top === undefined ? '' : top.keys === null ? `${top.path}/${top.index}` : pending;
      stack.push({ keys: c === 0x7b ? new Set() : null, path, index: 0 });
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
    } else if (c === 0x2c) {
      const top = stack[stack.length - 1];
      if (top !== undefined && top.keys === null) top.index++;
    }
    i++;
  }
  return null;
}
