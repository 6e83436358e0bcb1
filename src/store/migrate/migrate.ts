/**
 * `systack migrate`: copy every catalogued stream, bucket and object store of a system from one
 * backend to the other (`sides.ts`), then check each space's record count and checksum on both.
 *
 * - Idempotent: a value already equal on the target is not written again; a journal whose
 *   target already holds the first N source messages gets only the rest. Running it twice
 *   writes nothing the second time.
 * - Nothing is written when any space cannot be copied: a target key whose value differs, a
 *   target-only key, a target journal that is not a beginning of the source's, a non-JSON
 *   record. Each is named in the error.
 * - Checksums: sha256 over the space's records in a canonical form (keys sorted; JSON with sorted
 *   object keys; blobs by their own sha256; journals in order, subject and body) — the same on
 *   both backends when the data is the same.
 * - KV history is not copied (the latest value of each key is), nor JetStream sequence numbers or
 *   times.
 */
import { createHash } from 'node:crypto';
import { type CatalogueKind, catalogueEntries } from '../catalogue.ts';
import { type CopiedMessage, MigrateError, type Side } from './sides.ts';

export interface SpaceResult {
  space: string;
  kind: CatalogueKind;
  source: number;
  /** Records on the target before the copy. */
  target_before: number;
  /** Records written (on a dry run: to write). */
  written: number;
  /** Records on the target after the copy (on a dry run: as it is). */
  target: number;
  source_checksum: string;
  target_checksum: string;
  matches: boolean;
}

export interface MigrateResult {
  from: Side['name'];
  to: Side['name'];
  dry_run: boolean;
  spaces: SpaceResult[];
  written: number;
}

/** JSON with object keys sorted, so equal data gives equal text on both backends. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const sha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');

interface Records {
  count: number;
  checksum: string;
}

function keyedRecords(m: Map<string, unknown>): Records {
  const h = createHash('sha256');
  for (const k of [...m.keys()].sort()) h.update(`${JSON.stringify(k)}=${canonical(m.get(k))}\n`);
  return { count: m.size, checksum: h.digest('hex') };
}

function blobRecords(m: Map<string, Uint8Array>): Records {
  const h = createHash('sha256');
  for (const k of [...m.keys()].sort()) h.update(`${JSON.stringify(k)}=${sha(m.get(k)!)}\n`);
  return { count: m.size, checksum: h.digest('hex') };
}

const messageText = (m: CopiedMessage) => `${JSON.stringify(m.subject)} ${canonical(m.data)}\n`;

function journalRecords(ms: CopiedMessage[]): Records {
  const h = createHash('sha256');
  for (const m of ms) h.update(messageText(m));
  return { count: ms.length, checksum: h.digest('hex') };
}

/** What one space needs, worked out before anything is written. */
interface Step {
  space: string;
  kind: CatalogueKind;
  source: Records;
  targetBefore: Records;
  writes: number;
  write(): Promise<void>;
  recount(): Promise<Records>;
}

async function plan(from: Side, to: Side, space: string, kind: CatalogueKind): Promise<Step> {
  const where = `${to.name} ${space}`;
  if (kind === 'stream') {
    const src = await from.journal(space);
    const dst = await to.journal(space);
    if (dst.length > src.length)
      throw new MigrateError(`${where} holds ${dst.length} messages, more than the source's ${src.length}`);
    dst.forEach((m, i) => {
      if (messageText(m) !== messageText(src[i]!))
        throw new MigrateError(
          `${where}: message ${i + 1} differs from the source's; migrate onto an empty store`,
        );
    });
    const rest = src.slice(dst.length);
    return {
      space,
      kind,
      source: journalRecords(src),
      targetBefore: journalRecords(dst),
      writes: rest.length,
      write: () => to.appendJournal(space, rest),
      recount: async () => journalRecords(await to.journal(space)),
    };
  }
  if (kind === 'kv') {
    const src = await from.keyed(space);
    const dst = await to.keyed(space);
    for (const [k, v] of dst) {
      if (!src.has(k))
        throw new MigrateError(`${where}: key '${k}' is not in the source; migrate onto an empty store`);
      if (canonical(v) !== canonical(src.get(k)))
        throw new MigrateError(`${where}: key '${k}' holds a different value; migrate onto an empty store`);
    }
    const missing = [...src].filter(([k]) => !dst.has(k));
    return {
      space,
      kind,
      source: keyedRecords(src),
      targetBefore: keyedRecords(dst),
      writes: missing.length,
      async write() {
        for (const [k, v] of missing) await to.putKeyed(space, k, v);
      },
      recount: async () => keyedRecords(await to.keyed(space)),
    };
  }
  const src = await from.blobs(space);
  const dst = await to.blobs(space);
  for (const [k, v] of dst) {
    if (!src.has(k))
      throw new MigrateError(`${where}: object '${k}' is not in the source; migrate onto an empty store`);
    if (sha(v) !== sha(src.get(k)!))
      throw new MigrateError(`${where}: object '${k}' holds different bytes; migrate onto an empty store`);
  }
  const missing = [...src].filter(([k]) => !dst.has(k));
  return {
    space,
    kind,
    source: blobRecords(src),
    targetBefore: blobRecords(dst),
    writes: missing.length,
    async write() {
      for (const [k, v] of missing) await to.putBlob(space, k, v);
    },
    recount: async () => blobRecords(await to.blobs(space)),
  };
}

export async function migrate(from: Side, to: Side, opts: { dryRun?: boolean } = {}): Promise<MigrateResult> {
  if (from.name === to.name) throw new MigrateError(`--from and --to are both ${from.name}`);
  const steps: Step[] = [];
  for (const { name, kind } of catalogueEntries()) steps.push(await plan(from, to, name, kind));
  const spaces: SpaceResult[] = [];
  for (const s of steps) {
    if (!opts.dryRun) await s.write();
    // a dry run reports the target as it is
    const after = opts.dryRun ? s.targetBefore : await s.recount();
    spaces.push({
      space: s.space,
      kind: s.kind,
      source: s.source.count,
      target_before: s.targetBefore.count,
      written: s.writes,
      target: after.count,
      source_checksum: s.source.checksum,
      target_checksum: after.checksum,
      matches: after.count === s.source.count && after.checksum === s.source.checksum,
    });
  }
  const result = {
    from: from.name,
    to: to.name,
    dry_run: opts.dryRun ?? false,
    spaces,
    written: spaces.reduce((n, s) => n + s.written, 0),
  };
  const bad = spaces.filter((s) => !opts.dryRun && !s.matches).map((s) => s.space);
  if (bad.length > 0)
    throw new MigrateError(`after the copy, counts or checksums differ in: ${bad.join(', ')}`);
  return result;
}
