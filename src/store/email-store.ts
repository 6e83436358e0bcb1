/**
 * Emails (production doc "View stored emails"; digest P14) in the JetStream KV bucket
 * `<PREFIX>_EMAILS`:
 *   `sent.<subject hash>`  when an email with that subject was last sent (the de-duplication window)
 *   `stored.<id>`          emails kept instead of sent (a duplicate subject, or no email config),
 *                          shown and deleted by `systack email show`
 *   `outbox.<id>`          emails whose sending failed, retried until they go
 */
import { createHash, randomUUID } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { getJson, listJson, openJsonBucket, putJson } from './kv-json.ts';

export interface EmailMessage {
  subject: string;
  text: string;
  /** HTML version (the text is the fallback part). */
  html?: string;
  /** A scheduled report: sent whatever was sent before (the reference's `email_is_report`). */
  report?: boolean;
  /** Files attached (e.g. the report's HTML file with its plots). */
  attachments?: Array<{ filename: string; content: string; contentType: string }>;
}

export type StoredReason = 'duplicate subject within 24 h' | 'email not configured';

export interface StoredEmail extends EmailMessage {
  id: string;
  createdAt: number;
  reason: StoredReason;
}

export interface OutboxEmail extends EmailMessage {
  id: string;
  createdAt: number;
  attempts: number;
  lastError: string;
  lastAttempt: number;
}

const subjectKey = (subject: string) => createHash('sha256').update(subject).digest('hex').slice(0, 32);
export const newEmailId = (): string => randomUUID().replaceAll('-', '').slice(0, 16);

export class EmailStore {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, prefix: string): Promise<EmailStore> {
    return new EmailStore(await openJsonBucket(nc, prefix, 'EMAILS'));
  }

  async lastSent(subject: string): Promise<number | undefined> {
    return (await getJson<{ sentAt: number }>(this.kv, `sent.${subjectKey(subject)}`))?.sentAt;
  }

  async recordSent(subject: string, sentAt: number): Promise<void> {
    await putJson(this.kv, `sent.${subjectKey(subject)}`, { subject, sentAt });
  }

  async store(e: StoredEmail): Promise<void> {
    await putJson(this.kv, `stored.${e.id}`, e);
  }

  /** Stored emails, oldest first. */
  async stored(): Promise<StoredEmail[]> {
    return (await listJson<StoredEmail>(this.kv, 'stored.*'))
      .map((e) => e.value)
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async deleteStored(id: string): Promise<void> {
    await this.kv.delete(`stored.${id}`);
  }

  async queue(e: OutboxEmail): Promise<void> {
    await putJson(this.kv, `outbox.${e.id}`, e);
  }

  async outbox(): Promise<OutboxEmail[]> {
    return (await listJson<OutboxEmail>(this.kv, 'outbox.*'))
      .map((e) => e.value)
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async dequeue(id: string): Promise<void> {
    await this.kv.delete(`outbox.${id}`);
  }
}
