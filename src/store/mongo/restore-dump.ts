/**
 * Restore of a `mongodump` folder (`<dir>/<db>/<collection>.bson` + `.metadata.json`, as
 * `writeMongoDump` and `mongodump` write it) into a MongoDB database, read with the driver's
 * own BSON codec: the indexes of each collection from its metadata (so the unique ids and
 * expected versions of the journals hold again), then every document in the dump's order.
 *
 * Like the JetStream restore: every file is read before the target is touched; a target
 * collection that holds documents stops the restore before anything is written (`replace`
 * drops those collections first); afterwards each collection's digest is taken again and must
 * equal the dump's.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BSON, type Db, type Document, type IndexDescription } from 'mongodb';
import { readMongoDump } from './dump.ts';

export class MongoRestoreError extends Error {
  override name = 'MongoRestoreError';
}

export interface RestoredCollection {
  name: string;
  documents: number;
  digest: string;
  matches: boolean;
}

/**
 * sha256 over a collection's documents in ascending `_id` order, each as canonical extended
 * JSON (types kept: a Long is not a double, a Binary not a string).
 */
export function documentsDigest(docs: Document[]): string {
  const h = createHash('sha256');
  const key = (d: Document) => BSON.EJSON.stringify({ k: d._id as unknown }, { relaxed: false });
  const sorted = [...docs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  for (const d of sorted) h.update(BSON.EJSON.stringify(d, { relaxed: false })).update('\n');
  return h.digest('hex');
}

/** Each collection's digest in a database, by name. */
export async function databaseDigest(db: Db): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  for (const name of names) out.set(name, documentsDigest(await db.collection(name).find({}).toArray()));
  return out;
}

/**
 * The database folder of a dump: `<dir>/<db>`, `<dir>/mongo_dump/<db>` (a dated backup folder),
 * or `<dir>` itself when it holds `.bson` files.
 */
export function dumpDatabaseFolder(dir: string, dbName: string): string {
  if (existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.bson'))) return dir;
  if (existsSync(join(dir, dbName))) return join(dir, dbName);
  if (existsSync(join(dir, 'mongo_dump', dbName))) return join(dir, 'mongo_dump', dbName);
  throw new MongoRestoreError(
    `${dir}: no mongodump of database '${dbName}' (expected ${dbName}/ or mongo_dump/${dbName}/)`,
  );
}

interface Metadata {
  indexes?: Array<Document & { key: Document; name: string }>;
}

async function readIndexes(dbDir: string, collection: string): Promise<IndexDescription[]> {
  const file = join(dbDir, `${collection}.metadata.json`);
  if (!existsSync(file)) return [];
  const meta = BSON.EJSON.parse(await readFile(file, 'utf8'), { relaxed: false }) as Metadata;
  return (meta.indexes ?? [])
    .filter((ix) => ix.name !== '_id_')
    .map(({ v: _v, ns: _ns, ...ix }) => ix as IndexDescription);
}

/**
 * Restore the dump folder `dbDir` (one database's `.bson` files) into `db`. Refuses a target
 * whose collections of the dump hold documents unless `replace`.
 */
export async function restoreMongoDump(
  db: Db,
  dbDir: string,
  opts: { replace?: boolean } = {},
): Promise<RestoredCollection[]> {
  let dump: Map<string, Document[]>;
  const indexes = new Map<string, IndexDescription[]>();
  try {
    dump = await readMongoDump(dbDir);
    for (const f of (await readdir(dbDir)).filter((n) => n.endsWith('.metadata.json'))) {
      const name = f.slice(0, -'.metadata.json'.length);
      if (!dump.has(name)) dump.set(name, []);
    }
    for (const name of dump.keys()) indexes.set(name, await readIndexes(dbDir, name));
  } catch (err) {
    throw new MongoRestoreError(
      `${dbDir}: unreadable dump: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (dump.size === 0) throw new MongoRestoreError(`${dbDir}: no collections in the dump`);
  const occupied: string[] = [];
  for (const name of dump.keys())
    if ((await db.collection(name).countDocuments({}, { limit: 1 })) > 0) occupied.push(name);
  if (occupied.length > 0 && !opts.replace)
    throw new MongoRestoreError(
      `the target is not empty: ${occupied.join(', ')} hold documents (restore onto an empty database, or pass --replace)`,
    );
  for (const name of occupied) await db.collection(name).drop();
  const out: RestoredCollection[] = [];
  for (const [name, docs] of dump) {
    const c = db.collection(name);
    const ix = indexes.get(name) ?? [];
    if (ix.length > 0) await c.createIndexes(ix);
    if (docs.length > 0) await c.insertMany(docs, { ordered: true });
    const digest = documentsDigest(docs);
    const after = documentsDigest(await c.find({}).toArray());
    out.push({ name, documents: docs.length, digest, matches: after === digest });
  }
  const bad = out.filter((r) => !r.matches).map((r) => r.name);
  if (bad.length > 0)
    throw new MongoRestoreError(`restored collections differ from the dump: ${bad.join(', ')}`);
  return out;
}
