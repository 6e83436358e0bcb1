/**
 * `mongodump`-compatible output of a MongoDB database (the reference's "Backup mongo dump"):
 * `<dir>/<db>/<collection>.bson`, every document of the collection as BSON one after another,
 * and `<dir>/<db>/<collection>.metadata.json` with its indexes, the layout `mongorestore <dir>`
 * reads. Files are mode 600 and folders 700. `readMongoDump` reads it back (for checks).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BSON, type Db, type Document } from 'mongodb';
import { PRIVATE_DIR, PRIVATE_FILE } from '../jetstream/snapshot.ts';

export interface DumpedCollection {
  name: string;
  documents: number;
}

export async function writeMongoDump(db: Db, dir: string): Promise<DumpedCollection[]> {
  const out = join(dir, db.databaseName);
  await mkdir(out, PRIVATE_DIR);
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  const dumped: DumpedCollection[] = [];
  for (const name of names) {
    const c = db.collection(name);
    const docs = await c.find({}).sort({ _id: 1 }).toArray();
    const bytes = Buffer.concat(docs.map((d) => BSON.serialize(d)));
    const indexes = await c.listIndexes().toArray();
    const metadata = { options: {}, indexes, collectionName: name, type: 'collection' };
    await writeFile(join(out, `${name}.bson`), bytes, PRIVATE_FILE);
    await writeFile(
      join(out, `${name}.metadata.json`),
      BSON.EJSON.stringify(metadata, { relaxed: false }),
      PRIVATE_FILE,
    );
    dumped.push({ name, documents: docs.length });
  }
  return dumped;
}

/** The documents of every collection of a dump folder (`<dir>/<db>`), by collection name. */
export async function readMongoDump(dbDir: string): Promise<Map<string, Document[]>> {
  const out = new Map<string, Document[]>();
  for (const f of (await readdir(dbDir)).filter((n) => n.endsWith('.bson')).sort()) {
    const bytes = await readFile(join(dbDir, f));
    const docs: Document[] = [];
    for (let at = 0; at < bytes.length;) {
      const size = bytes.readInt32LE(at);
      docs.push(BSON.deserialize(bytes.subarray(at, at + size)));
      at += size;
    }
    out.set(f.slice(0, -'.bson'.length), docs);
  }
  return out;
}
