import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EPHEMERAL_INACTIVE_MS, limitedEphemeral } from '../../src/bus/ephemerals.ts';
import {
  isNatsServer,
  recordStoreOwner,
  retirePreviousOwner,
  storeOwner,
} from '../../src/bus/store-owner.ts';

const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
const dec = (b: Uint8Array | undefined) =>
  b ? (JSON.parse(new TextDecoder().decode(b)) as unknown) : undefined;

describe('ephemeral consumers in memory, dropped soon after their reader', () => {
  it('an ephemeral create gets mem_storage and an inactive threshold of at most 10 s', () => {
    const body = {
      stream_name: 'KV_X',
      config: { name: 'oc_1', inactive_threshold: 300e9, headers_only: true },
    };
    expect(dec(limitedEphemeral('$JS.API.CONSUMER.CREATE.KV_X.oc_1.$KV.X.>', enc(body)))).toEqual({
      stream_name: 'KV_X',
      config: {
        name: 'oc_1',
        inactive_threshold: EPHEMERAL_INACTIVE_MS * 1e6,
        headers_only: true,
        mem_storage: true,
      },
    });
    const short = { config: { inactive_threshold: 2e9 } };
    expect(dec(limitedEphemeral('$JS.API.CONSUMER.CREATE.S', enc(short)))).toEqual({
      config: { inactive_threshold: 2e9, mem_storage: true },
    });
  });

  it('durable creates and other requests pass untouched', () => {
    const durable = { config: { durable_name: 'handler', ack_policy: 'explicit' } };
    expect(limitedEphemeral('$JS.API.CONSUMER.CREATE.S.handler', enc(durable))).toBeUndefined();
    expect(limitedEphemeral('$JS.API.STREAM.INFO.S', enc({}))).toBeUndefined();
    expect(
      limitedEphemeral('$JS.API.CONSUMER.CREATE.S', new TextEncoder().encode('not json')),
    ).toBeUndefined();
  });
});

describe('one nats-server per store', () => {
  it('a live process that is not nats-server is never taken for the owner; a dead pid is none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'systack-owner-'));
    recordStoreOwner(dir, process.pid);
    expect(storeOwner(dir)).toBe(process.pid);
    expect(isNatsServer(process.pid)).toBe(false);
    expect(await retirePreviousOwner(dir)).toBe('none');
    writeFileSync(join(dir, 'nats-server.pid'), 'garbage\n');
    expect(storeOwner(dir)).toBeUndefined();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a previous nats-server still on the store is stopped before a new one starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'systack-owner-'));
    const old = spawn('nats-server', ['-a', '127.0.0.1', '-p', '-1', '-js', '-sd', join(dir, 'js')], {
      stdio: 'ignore',
      env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin` },
    });
    const exited = new Promise<void>((r) => old.once('exit', () => r()));
    recordStoreOwner(dir, old.pid!);
    await new Promise((r) => setTimeout(r, 300));
    expect(isNatsServer(old.pid!)).toBe(true);
    expect(await retirePreviousOwner(dir)).toBe('stopped');
    await exited;
    expect(isNatsServer(old.pid!)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
