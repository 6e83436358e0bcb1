/**
 * The two sides `systack migrate` copies between, each read and written as the catalogue's
 * spaces: keyed JSON values (KV buckets / keyed collections), named blobs (object stores / binary
 * collections) and journals (streams / journal collections). JetStream spaces are named
 * `<PREFIX>_<NAME>`; MongoDB collections by `mongoCollection`.
 */
import { jetstream, jetstreamManager, type StreamConfig } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { Binary, type Db } from 'mongodb';
import { streamName } from '../../bus/subjects.ts';
import { KV_HISTORY, mongoCollection } from '../catalogue.ts';
import { streamMessages } from '../jetstream/snapshot.ts';
import type { BlobDoc, KeyedDoc } from '../mongo/json-collection.ts';
import { type JournalDoc, MongoJournal } from '../mongo/journal.ts';

export interface CopiedMessage {
  subject: string;
  msgId?: string;
  data: unknown;
}

export class MigrateError extends Error {
  override name = 'MigrateError';
}

export interface Side {
  name: 'jetstream' | 'mongodb';
  keyed(space: string): Promise<Map<string, unknown>>;
  putKeyed(space: string, key: string, value: unknown): Promise<void>;
  blobs(space: string): Promise<Map<string, Uint8Array>>;
  putBlob(space: string, name: string, data: Uint8Array): Promise<void>;
  journal(space: string): Promise<CopiedMessage[]>;
  appendJournal(space: string, messages: CopiedMessage[]): Promise<void>;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MigrateError(`${where}: not JSON; only JSON records can be copied to MongoDB`);
  }
}

export function jetstreamSide(nc: NatsConnection, prefix: string): Side {
  const exists = async (stream: string) =>
    (await (await jetstreamManager(nc)).streams.info(stream).catch(() => undefined)) !== undefined;
  return {
    name: 'jetstream',
    async keyed(space) {
      const out = new Map<string, unknown>();
      const bucket = streamName(prefix, space);
      if (!(await exists(`KV_${bucket}`))) return out;
      const kv = await new Kvm(nc).open(bucket);
      const keys: string[] = [];
      for await (const k of await kv.keys()) keys.push(k);
      for (const k of keys.sort()) {
        const e = await kv.get(k);
        if (e?.operation === 'PUT' && e.length > 0) out.set(k, parseJson(e.string(), `${bucket} key '${k}'`));
      }
      return out;
    },
    async putKeyed(space, key, value) {
      const kv = await new Kvm(nc).create(streamName(prefix, space), { history: KV_HISTORY[space] ?? 1 });
      await kv.put(key, JSON.stringify(value));
    },
    async blobs(space) {
      const out = new Map<string, Uint8Array>();
      const name = streamName(prefix, space);
      if (!(await exists(`OBJ_${name}`))) return out;
      const os = await new Objm(nc).open(name);
      for (const info of await os.list()) {
        if (info.deleted) continue;
        const data = await os.getBlob(info.name);
        if (data) out.set(info.name, data);
      }
      return out;
    },
    async putBlob(space, name, data) {
      await (await new Objm(nc).create(streamName(prefix, space))).putBlob({ name }, data);
    },
    async journal(space) {
      const stream = streamName(prefix, space);
      if (!(await exists(stream))) return [];
      const out: CopiedMessage[] = [];
      for await (const m of streamMessages(nc, stream)) {
        const id = Object.entries(m.headers ?? {}).find(([k]) => k.toLowerCase() === 'nats-msg-id')?.[1][0];
        const data = parseJson(Buffer.from(m.data).toString('utf8'), `${stream} message ${m.seq}`);
        out.push({ subject: m.subject, ...(id !== undefined ? { msgId: id } : {}), data });
      }
      return out;
    },
    async appendJournal(space, messages) {
      if (messages.length === 0) return;
      const stream = streamName(prefix, space);
      const jsm = await jetstreamManager(nc);
      if (!(await exists(stream))) {
        // Created to take the messages' subjects; its owner binds to it when it next opens it.
        const roots = [...new Set(messages.map((m) => `${m.subject.split('.').slice(0, 2).join('.')}.>`))];
        const config: Partial<StreamConfig> & { name: string } = { name: stream, subjects: roots };
        await jsm.streams.add(config);
      }
      const js = jetstream(nc);
      for (const m of messages) {
        const data = JSON.stringify(m.data);
        const ack = await js.publish(m.subject, data, {
          headers: natsHeaders(),
          ...(m.msgId !== undefined ? { msgID: m.msgId } : {}),
        });
        // two records sharing a message id (written further apart than the window) stay two
        if (ack.duplicate) await js.publish(m.subject, data);
      }
    },
  };
}

export function mongoSide(db: Db): Side {
  return {
    name: 'mongodb',
    async keyed(space) {
      const docs = await db.collection<KeyedDoc>(mongoCollection(space)).find({}).sort({ _id: 1 }).toArray();
      return new Map(docs.map((d) => [d._id, d.value]));
    },
    async putKeyed(space, key, value) {
      await db
        .collection<KeyedDoc>(mongoCollection(space))
        .replaceOne({ _id: key }, { value }, { upsert: true });
    },
    async blobs(space) {
      const docs = await db.collection<BlobDoc>(mongoCollection(space)).find({}).sort({ _id: 1 }).toArray();
      return new Map(docs.map((d) => [d._id, new Uint8Array(d.data.buffer)]));
    },
    async putBlob(space, name, data) {
      await db
        .collection<BlobDoc>(mongoCollection(space))
        .replaceOne({ _id: name }, { data: new Binary(data) }, { upsert: true });
    },
    async journal(space) {
      const docs = await db
        .collection<JournalDoc>(mongoCollection(space))
        .find({})
        .sort({ _id: 1 })
        .toArray();
      return docs.map((d) => ({
        subject: d.subject,
        ...(d.msgId !== undefined ? { msgId: d.msgId } : {}),
        data: d.data,
      }));
    },
    async appendJournal(space, messages) {
      await (await MongoJournal.open(db, mongoCollection(space))).appendCopies(messages);
    },
  };
}
