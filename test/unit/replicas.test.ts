// A cluster connection through a JetStream election (src/bus/replicas.ts), with a fake at the
// NATS client's request boundary: it waits for the meta leader before creating storage, and a
// create that timed out but had in fact succeeded is answered with the stream's info, not an error.
import type { Msg, NatsConnection, Payload } from '@nats-io/transport-node';
import { TimeoutError } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { withStreamReplicas } from '../../src/bus/replicas.ts';

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const dec = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;
const jsError = (err_code: number) => ({ error: { code: 503, err_code, description: 'x' } });

/** A fake client: answers each subject from a script of replies (an Error is thrown). */
function fakeNc(script: Record<string, Array<unknown>>) {
  const asked: Array<{ subject: string; body: Record<string, unknown> | undefined }> = [];
  const nc = {
    isClosed: () => false,
    request: async (subject: string, payload?: Payload): Promise<Msg> => {
      const data = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
      asked.push({ subject, body: data && data.length ? dec(data) : undefined });
      const replies = script[subject] ?? [];
      const next = replies.length > 1 ? replies.shift() : replies[0];
      if (next instanceof Error) throw next;
      return { data: enc(next) } as unknown as Msg;
    },
  };
  return { nc: withStreamReplicas(nc as unknown as NatsConnection, 3), asked };
}

describe('a cluster connection through a JetStream election', () => {
  it('waits for the meta leader, retries a timed-out create and answers "in use" with the stream', async () => {
    const info = { config: { name: 'KV_X', num_replicas: 3 }, state: { messages: 0 } };
    const { nc, asked } = fakeNc({
      '$JS.API.INFO': [jsError(10008), new TimeoutError(), { memory: 0 }],
      '$JS.API.STREAM.CREATE.KV_X': [new TimeoutError(), jsError(10058)],
      '$JS.API.STREAM.INFO.KV_X': [info],
    });
    const m = await nc.request('$JS.API.STREAM.CREATE.KV_X', enc({ name: 'KV_X' }));
    expect(dec(m.data)).toEqual(info);
    expect(asked.map((a) => a.subject)).toEqual([
      '$JS.API.INFO',
      '$JS.API.INFO',
      '$JS.API.INFO',
      '$JS.API.STREAM.CREATE.KV_X',
      '$JS.API.STREAM.CREATE.KV_X',
      '$JS.API.STREAM.INFO.KV_X',
    ]);
    expect(asked.filter((a) => a.subject.includes('CREATE')).map((a) => a.body)).toEqual([
      { name: 'KV_X', num_replicas: 3 },
      { name: 'KV_X', num_replicas: 3 },
    ]);
  });

  it('passes "in use" through when no attempt of its own timed out (a different stream exists)', async () => {
    const { nc } = fakeNc({
      '$JS.API.INFO': [{ memory: 0 }],
      '$JS.API.STREAM.CREATE.X': [jsError(10058)],
    });
    const m = await nc.request('$JS.API.STREAM.CREATE.X', enc({ name: 'X' }));
    expect(dec(m.data)).toEqual(jsError(10058));
  });

  it('retries a stream info that meets an election, and leaves other requests alone', async () => {
    const { nc, asked } = fakeNc({
      '$JS.API.INFO': [{ memory: 0 }],
      '$JS.API.STREAM.INFO.S': [new TimeoutError(), jsError(10008), { config: { name: 'S' } }],
      'app.svc': [new TimeoutError()],
    });
    expect(dec((await nc.request('$JS.API.STREAM.INFO.S')).data)).toEqual({ config: { name: 'S' } });
    await expect(nc.request('app.svc', '{}')).rejects.toBeInstanceOf(TimeoutError);
    expect(asked.filter((a) => a.subject === 'app.svc')).toHaveLength(1);
  });

  it('asks again for an ephemeral consumer under a new name when its create timed out (it may sit on a dead peer)', async () => {
    const create = '$JS.API.CONSUMER.CREATE.KV_X.oc_1.$KV.X.>';
    const { nc, asked } = fakeNc({
      '$JS.API.INFO': [{ memory: 0 }],
      [create]: [new TimeoutError()],
      '$JS.API.CONSUMER.CREATE.KV_X.oc_1_r2.$KV.X.>': [{ name: 'oc_1_r2' }],
      '$JS.API.CONSUMER.CREATE.KV_X.dur': [new TimeoutError(), { name: 'dur' }],
    });
    const m = await nc.request(
      create,
      enc({ stream_name: 'KV_X', config: { name: 'oc_1', num_replicas: 1 } }),
    );
    expect(dec(m.data)).toEqual({ name: 'oc_1_r2' });
    expect(asked.at(-1)?.body).toEqual({ stream_name: 'KV_X', config: { name: 'oc_1_r2', num_replicas: 1 } });
    // A durable keeps its name: its create is idempotent.
    const d = await nc.request(
      '$JS.API.CONSUMER.CREATE.KV_X.dur',
      enc({ stream_name: 'KV_X', config: { name: 'dur', durable_name: 'dur' } }),
    );
    expect(dec(d.data)).toEqual({ name: 'dur' });
  });

  it('asks again while a read or an ephemeral create goes unanswered, and takes the first answer', async () => {
    // The first ask of each sits on a dead peer (no answer until its timeout); the next is answered.
    const events: string[] = [];
    let asks = 0;
    const inner = {
      isClosed: () => false,
      request: (subject: string, _payload?: Payload, opts?: { timeout?: number }): Promise<Msg> => {
        if (subject === '$JS.API.INFO')
          return Promise.resolve({ data: enc({ memory: 0 }) } as unknown as Msg);
        if (asks++ % 2 === 0)
          return new Promise((_, reject) =>
            setTimeout(() => {
              events.push(`timeout ${subject}`);
              reject(new TimeoutError());
            }, opts?.timeout ?? 5000),
          );
        events.push(`answer ${subject}`);
        return Promise.resolve({ data: enc({ asked: subject }) } as unknown as Msg);
      },
    };
    const nc = withStreamReplicas(inner as unknown as NatsConnection, 3);
    const info = await nc.request('$JS.API.STREAM.INFO.S', undefined, { timeout: 2000 });
    expect(dec(info.data)).toEqual({ asked: '$JS.API.STREAM.INFO.S' });
    const create = '$JS.API.CONSUMER.CREATE.KV_X.oc_1.$KV.X.>';
    const c = await nc.request(create, enc({ stream_name: 'KV_X', config: { name: 'oc_1' } }), {
      timeout: 2000,
    });
    expect(dec(c.data)).toEqual({ asked: '$JS.API.CONSUMER.CREATE.KV_X.oc_1_r2.$KV.X.>' });
    // Both answers came while the first asks were still waiting.
    expect(events).toEqual([
      'answer $JS.API.STREAM.INFO.S',
      'answer $JS.API.CONSUMER.CREATE.KV_X.oc_1_r2.$KV.X.>',
    ]);
  });
});
