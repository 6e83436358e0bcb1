/**
 * Small helpers over a JetStream KV bucket holding JSON values (stack-notes.md §2.2).
 * Bucket names come from the subject prefix (`streamName`), so several systems share a server.
 */
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { streamName } from '../bus/subjects.ts';

export async function openJsonBucket(
  nc: NatsConnection,
  prefix: string,
  name: string,
  history = 1,
): Promise<KV> {
  return new Kvm(nc).create(streamName(prefix, name), { history });
}

/** The JSON value of a key, or undefined when missing or deleted. */
export async function getJson<T>(kv: KV, key: string): Promise<T | undefined> {
  const e = await kv.get(key);
  if (e?.operation !== 'PUT' || e.length === 0) return undefined;
  return e.json<T>();
}

export async function putJson(kv: KV, key: string, value: unknown): Promise<number> {
  return kv.put(key, JSON.stringify(value));
}

/** Live keys matching a filter (default all), sorted. */
export async function listKeys(kv: KV, filter = '>'): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of await kv.keys(filter)) keys.push(k);
  return keys.sort();
}

/** Every live key under a filter with its JSON value, sorted by key. */
export async function listJson<T>(kv: KV, filter = '>'): Promise<Array<{ key: string; value: T }>> {
  const out: Array<{ key: string; value: T }> = [];
  for (const key of await listKeys(kv, filter)) {
    const value = await getJson<T>(kv, key);
    if (value !== undefined) out.push({ key, value });
  }
  return out;
}

/** Names that would reach an object's prototype when used as a table key. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * KV keys allow `[-/_=.a-zA-Z0-9]`; a name token must also not contain a dot, nor be a name that
 * reaches an object's prototype when the stores build their tables from keys.
 */
export function keyToken(name: string, what: string): string {
  if (!/^[-_=a-zA-Z0-9]+$/.test(name) || RESERVED.has(name))
    throw new Error(`${what} '${name}' is not a valid key token`);
  return name;
}

/** Fixed-width decimal timestamp so keys sort by time. */
export function timeToken(epochMs: number): string {
  return String(Math.trunc(epochMs)).padStart(15, '0');
}
