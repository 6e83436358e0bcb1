/**
 * Which storage backend a process uses, chosen once from config (`storage_backend`, and for
 * MongoDB `mongo_host` / `mongo_port` / `mongo_db` / `mongo_user` / `mongo_pass`, the
 * reference's key names) by whoever loads the config (`withBus`, the supervisor), like the root
 * logger. The `open*` functions give the selected backend's store; NATS stays the message bus
 * either way. With `mongodb`, one client is opened on first use and closed by `closeStorage`.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Db } from 'mongodb';
import { type CapitalStore, JetStreamCapitalStore } from './capital-store.ts';
import { type ControlsStore, JetStreamControlsStore } from './controls-store.ts';
import { JetStreamPriceStore } from './jetstream/price-store.ts';
import type { MongoSettings } from './mongo/json-collection.ts';
import type { SeriesPriceStore } from './series-price-store.ts';
import { JetStreamStrategyStore, type StrategyStore } from './strategy-store.ts';

export type StorageSelection = { backend: 'jetstream' } | { backend: 'mongodb'; mongo: MongoSettings };

/** The config keys the selection is made from. */
export interface StorageConfig {
  storage_backend: 'jetstream' | 'mongodb';
  mongo_host: string;
  mongo_port: number;
  mongo_db: string;
  mongo_user?: string;
  mongo_pass?: string;
}

/**
 * The MongoDB URL of a config: `mongo_host` as given when it is already a `mongodb://` or
 * `mongodb+srv://` URL (the reference allows credentials in it), else built from host, port and
 * the optional user and password.
 */
export function mongoUrl(c: Omit<StorageConfig, 'storage_backend' | 'mongo_db'>): string {
  if (/^mongodb(\+srv)?:\/\//.test(c.mongo_host)) return c.mongo_host;
  const auth = c.mongo_user
    ? `${encodeURIComponent(c.mongo_user)}:${encodeURIComponent(c.mongo_pass ?? '')}@`
    : '';
  const host = c.mongo_host.includes(':') ? `[${c.mongo_host}]` : c.mongo_host;
  return `mongodb://${auth}${host}:${c.mongo_port}/?directConnection=true`;
}

export function storageSelection(c: StorageConfig): StorageSelection {
  return c.storage_backend === 'mongodb'
    ? { backend: 'mongodb', mongo: { url: mongoUrl(c), db: c.mongo_db } }
    : { backend: 'jetstream' };
}

let selected: StorageSelection = { backend: 'jetstream' };
let client: Promise<{ db: Db; close(): Promise<void> }> | undefined;

/** Choose this process's backend (closing a MongoDB client opened for an earlier choice). */
export async function selectStorage(s: StorageSelection): Promise<void> {
  await closeStorage();
  selected = s;
}

export function selectedStorage(): StorageSelection {
  return selected;
}

/** The selected MongoDB database (connecting on first use); refuses when JetStream is selected. */
export async function mongoDatabase(): Promise<Db> {
  const s = selected;
  if (s.backend !== 'mongodb') throw new Error('storage_backend is jetstream: no MongoDB database selected');
  // The driver is loaded only when MongoDB is selected: a CLI query on JetStream never pays for it.
  client ??= import('./mongo/json-collection.ts').then((m) => m.openMongo(s.mongo));
  try {
    return (await client).db;
  } catch (err) {
    client = undefined;
    throw err;
  }
}

/** Close the MongoDB client, if one was opened (a process cannot exit while it is open). */
export async function closeStorage(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await (await c.catch(() => undefined))?.close();
}

const onMongo = () => selected.backend === 'mongodb';
const mongoStores = () => import('./mongo/stores.ts');

export async function openCapitalStore(nc: NatsConnection, prefix: string): Promise<CapitalStore> {
  return onMongo()
    ? new (await mongoStores()).MongoCapitalStore(await mongoDatabase())
    : JetStreamCapitalStore.open(nc, prefix);
}

export async function openControlsStore(nc: NatsConnection, prefix: string): Promise<ControlsStore> {
  return onMongo()
    ? new (await mongoStores()).MongoControlsStore(await mongoDatabase())
    : JetStreamControlsStore.open(nc, prefix);
}

export async function openStrategyStore(nc: NatsConnection, prefix: string): Promise<StrategyStore> {
  return onMongo()
    ? new (await mongoStores()).MongoStrategyStore(await mongoDatabase())
    : JetStreamStrategyStore.open(nc, prefix);
}

export async function openPriceStore(nc: NatsConnection, prefix: string): Promise<SeriesPriceStore> {
  return onMongo()
    ? (await import('./mongo/price-store.ts')).MongoPriceStore.of(await mongoDatabase())
    : JetStreamPriceStore.open(nc, prefix);
}
