import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { endpoint, startService } from '../../src/bus/service.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect('status-test');
  await new Kvm(nc).create('systack_status_test');
  await startService(nc, {
    name: 'systack-example',
    version: '1.2.3',
    description: 'an example service',
    endpoints: [
      endpoint({
        name: 'ping',
        subject: 'systack.example.ping',
        description: 'answers pong',
        schema: z.object({}),
        handler: () => 'pong',
      }),
    ],
  });
}, 60_000);

afterAll(async () => {
  await nats?.stop();
});

describe('systack status', () => {
  it('lists streams, KV buckets and services with their endpoints; processes null without a supervisor', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'systack-status-'));
    // not spawnSync: the service in this process must answer while the CLI runs
    const r = await promisify(execFile)(
      process.execPath,
      [join(process.cwd(), 'bin/systack.js'), 'status', '--json', '--nats-url', nats.url],
      { cwd, env: { ...process.env, SYSTACK_PRIVATE_DIR: cwd }, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    const s = JSON.parse(r.stdout) as {
      streams: Array<{ kind: string; name: string }>;
      services: unknown[];
      processes: unknown;
    };
    expect(s.streams).toContainEqual(
      expect.objectContaining({ kind: 'kv_bucket', name: 'systack_status_test' }),
    );
    expect(s.streams).toContainEqual(expect.objectContaining({ kind: 'stream', name: 'SYSTACK_LOGS' }));
    expect(s.services).toEqual([
      {
        service: 'systack-example',
        version: '1.2.3',
        description: 'an example service',
        endpoints: [{ name: 'ping', subject: 'systack.example.ping', description: 'answers pong' }],
      },
    ]);
    expect(s.processes).toBeNull();
  });
});
