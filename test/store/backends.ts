/**
 * The two storage backends the conformance suites run on, opened through their real clients:
 * JetStream (a real nats-server) and MongoDB (the wire-protocol server in test/fixtures, or a real
 * mongod when MONGODB_URL is set). Each `open(space)` gives a fresh space (prefix or database).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Db } from 'mongodb';
import type { CapitalRow } from '../../src/domain/capital/total-capital.ts';
import { openJsonBucket } from '../../src/store/kv-json.ts';
import { openMongo } from '../../src/store/mongo/json-collection.ts';
import { MongoRecords } from '../../src/store/mongo/records.ts';
import { JetStreamRecords, type Records } from '../../src/store/records.ts';
import { type FakeMongo, startFakeMongo } from '../fixtures/mongo-wire/server.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

export interface Space {
  /** The keyed records of a catalogued bucket (KV `<SPACE>_<BUCKET>` or collection `<bucket>`). */
  records(bucket: string): Promise<Records>;
  /** Set on MongoDB: the space's database. */
  db?: Db;
  /** Set on JetStream: the connection. */
  nc?: NatsConnection;
  space: string;
}

export interface Backend {
  name: string;
  open(space: string): Promise<Space>;
  stop(): Promise<void>;
}

export async function jetstreamBackend(): Promise<Backend> {
  const t: TestNats = await startTestNats();
  const nc = await t.connect();
  return {
    name: 'jetstream',
    async open(space) {
      return {
        space,
        nc,
        records: async (bucket) => new JetStreamRecords(await openJsonBucket(nc, space, bucket)),
      };
    },
    stop: () => t.stop(),
  };
}

export async function mongoBackend(): Promise<Backend> {
  const fake: FakeMongo | undefined = process.env.MONGODB_URL ? undefined : await startFakeMongo();
  const url = process.env.MONGODB_URL ?? fake!.url;
  const closes: Array<() => Promise<void>> = [];
  return {
    name: process.env.MONGODB_URL ? 'mongodb (MONGODB_URL)' : 'mongodb (wire-protocol fixture)',
    async open(space) {
      const m = await openMongo({ url, db: `systack_conformance_${space}_${Date.now()}` });
      closes.push(async () => {
        await m.db.dropDatabase();
        await m.close();
      });
      return {
        space,
        db: m.db,
        records: async (bucket) => new MongoRecords(m.db, bucket.toLowerCase()),
      };
    },
    async stop() {
      for (const c of closes) await c();
      await fake?.stop();
    },
  };
}

/** A capital update row of `total` at `timestamp` (broker value = total = max, no P&L yet). */
export const capitalRow = (timestamp: number, total: number): CapitalRow =>
  ({
    timestamp,
    kind: 'update',
    broker_account_value: total,
    total_capital: total,
    max_capital: total,
    accumulated_pnl: 0,
  }) as CapitalRow;
