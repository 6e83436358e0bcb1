import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callService, ErrorCodes, endpoint, ServiceError, startService } from '../../src/bus/service.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

describe('NATS command endpoints', () => {
  let t: TestNats;
  let nc: NatsConnection;
  const positions = new Map<string, number>();

  beforeAll(async () => {
    t = await startTestNats();
    nc = await t.connect();
    await startService(nc, {
      name: 'positions',
      version: '1.0.0',
      description: 'test service',
      endpoints: [
        endpoint({
          name: 'set',
          subject: 'svc.positions.set',
          description: 'set a position',
          schema: z.strictObject({ instrument_code: z.string().min(1), position: z.number().int() }),
          handler: (req) => {
            if (req.instrument_code === 'NOPE')
              throw new ServiceError(ErrorCodes.notFound, 'unknown instrument NOPE');
            positions.set(req.instrument_code, req.position);
            return { instrument_code: req.instrument_code, position: req.position };
          },
        }),
      ],
    });
  });
  afterAll(async () => t.stop());

  it('replies with the result of a valid request', async () => {
    const r = await callService<{ position: number }>(nc, 'svc.positions.set', {
      instrument_code: 'SOFR',
      position: 3,
    });
    expect(r.position).toBe(3);
    expect(positions.get('SOFR')).toBe(3);
  });

  it('answers malformed JSON with code 400 and changes nothing', async () => {
    const reply = await nc.request('svc.positions.set', '{not json', { timeout: 2000 });
    expect(reply.headers?.get('Nats-Service-Error-Code')).toBe('400');
    expect(reply.json()).toEqual({
      ok: false,
      error: { code: 400, message: 'request body is not valid JSON' },
    });
    expect([...positions]).toEqual([['SOFR', 3]]);
  });

  it('answers a schema violation with the path and code 400', async () => {
    await expect(
      callService(nc, 'svc.positions.set', { instrument_code: 'SOFR', position: 1.5 }),
    ).rejects.toMatchObject({
      code: 400,
      message: expect.stringMatching(/^position: /),
    });
    await expect(
      callService(nc, 'svc.positions.set', { instrument_code: 'SOFR', position: 1, extra: true }),
    ).rejects.toMatchObject({ code: 400 });
    expect(positions.get('SOFR')).toBe(3);
  });

  it('passes a handler error code through', async () => {
    await expect(
      callService(nc, 'svc.positions.set', { instrument_code: 'NOPE', position: 1 }),
    ).rejects.toMatchObject({
      code: 404,
      message: 'unknown instrument NOPE',
    });
  });

  it('is discoverable with the micro-services protocol', async () => {
    const reply = await nc.request('$SRV.INFO.positions', '', { timeout: 2000 });
    const info = reply.json<{ name: string; endpoints: Array<{ subject: string }> }>();
    expect(info.name).toBe('positions');
    expect(info.endpoints.map((e) => e.subject)).toEqual(['svc.positions.set']);
  });
});
