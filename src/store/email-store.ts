/**
 * Emails (production doc "View stored emails"; digest P14) in the keyed records `EMAILS`
 * (`openRecords`: the KV bucket `<PREFIX>_EMAILS`, or the MongoDB collection `emails`):
 *   `sent.<subject hash>`  when an email with that subject was last sent (the de-duplication window)
 *   `stored.<id>`          emails kept instead of sent (a duplicate subject, or no email config),
 *                          shown and deleted by `systack email show`
 *   `outbox.<id>`          emails whose sending failed, retried until they go
 */
import { createHash, randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { openRecords } from './backend.ts';
import type { Records } from './records.ts';

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
  constructor(private readonly records: Records) {}

  static async open(nc: NatsConnection, prefix: string): Promise<EmailStore> {
    return new EmailStore(await openRecords(nc, prefix, 'EMAILS'));
  }

  async lastSent(subject: string): Promise<number | undefined> {
    return (await this.records.get<{ sentAt: number }>(`sent.${subjectKey(subject)}`))?.sentAt;
  }

  async recordSent(subject: string, sentAt: number): Promise<void> {
    await this.records.put(`sent.${subjectKey(subject)}`, { subject, sentAt });
  }

  async store(e: StoredEmail): Promise<void> {
    await this.records.put(`stored.${e.id}`, e);
  }

  /** Stored emails, oldest first. */
  async stored(): Promise<StoredEmail[]> {
    return (await this.records.list<StoredEmail>('stored.'))
      .map((e) => e.value)
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async deleteStored(id: string): Promise<void> {
    await this.records.delete(`stored.${id}`);
  }

  async queue(e: OutboxEmail): Promise<void> {
    await this.records.put(`outbox.${e.id}`, e);
  }

  async outbox(): Promise<OutboxEmail[]> {
    return (await this.records.list<OutboxEmail>('outbox.'))
      .map((e) => e.value)
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async dequeue(id: string): Promise<void> {
    await this.records.delete(`outbox.${id}`);
  }
}
