/**
 * One spelling for every log key: the reference's snake_case names. Call sites bind keys as they
 * please (`instrumentCode`, `process` again in a child, ...); every line is rewritten here, once,
 * before it reaches any destination: camelCase keys become snake_case and a key that occurs more
 * than once keeps its last (most specific, the child's) value. Nested values are left as they are.
 */
export function snakeCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** The leading keys of a line, in this order; the rest follow as they came, `msg` last. */
const HEAD = ['level', 'level_name', 'time', 'process', 'pid'];

export function normaliseRecord(record: Record<string, unknown>): Record<string, unknown> {
  const merged = new Map<string, unknown>();
  for (const [k, v] of Object.entries(record)) {
    const key = snakeCase(k);
    merged.delete(key); // a later duplicate moves to where it was last written
    merged.set(key, v);
  }
  const out: Record<string, unknown> = {};
  for (const k of HEAD) if (merged.has(k)) out[k] = merged.get(k);
  for (const [k, v] of merged) if (!(k in out) && k !== 'msg') out[k] = v;
  if (merged.has('msg')) out.msg = merged.get('msg');
  return out;
}

/**
 * Rewrite one serialised line (pino's JSON). JSON.parse keeps the last of duplicate keys, which
 * is the child binding's value. A line that is not JSON passes through unchanged.
 */
export function normaliseLine(line: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return line; // not a JSON line (never from pino): left as it is
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return line;
  const raw = line.endsWith('\n') ? '\n' : '';
  return `${JSON.stringify(normaliseRecord(parsed as Record<string, unknown>))}${raw}`;
}
