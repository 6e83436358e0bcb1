/**
 * The order-request queue as the stack handler sees it. nats-server 2.9.10, restarted under load,
 * was seen leaving acknowledged messages in the work-queue stream (below its consumer's ack floor:
 * 6 of 9,764 in a 10,000-order run). They are never delivered again, so they are not queued
 * requests; counting the stream's messages would wait for them for ever. The stack handler now
 * removes them (actors/stack/acked-leftovers.ts); the summary counts those it removed and those
 * still there at the end (`ackedRequestsLeft`).
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { streamName } from '../../src/bus/subjects.ts';
import { PREFIX } from './system.ts';

const STREAM = () => streamName(PREFIX, 'ORDER_REQUESTS');

/** The stream sequence up to which the stack handler's consumer has acknowledged everything. */
export async function ackFloor(nc: NatsConnection): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const floors: number[] = [];
  for await (const c of jsm.consumers.list(STREAM())) floors.push(c.ack_floor.stream_seq);
  return floors.length > 0 ? Math.min(...floors) : 0;
}

/** Requests still to be handled: messages above the ack floor (0 when there is no stream yet). */
export async function queuedRequests(nc: NatsConnection): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(STREAM()).catch(() => undefined);
  if (!info || info.state.messages === 0) return 0;
  const floor = await ackFloor(nc);
  let n = 0;
  for (let seq = Math.max(info.state.first_seq, floor + 1); seq <= info.state.last_seq; seq++) {
    if (await jsm.streams.getMessage(STREAM(), { seq }).catch(() => undefined)) n++;
  }
  return n;
}

/** Acknowledged requests still in the stream: its messages at or below the ack floor. */
export async function ackedRequestsLeft(nc: NatsConnection): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(STREAM()).catch(() => undefined);
  if (!info || info.state.messages === 0) return 0;
  return info.state.messages - (await queuedRequests(nc));
}
