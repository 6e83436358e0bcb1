/**
 * Sending emails as the reference does (digest P14): an email whose subject was sent in the last
 * 24 hours is stored, not sent (reports excepted: each scheduled report is sent). An email that
 * fails to send is logged and queued in the outbox; `retryPending` sends the queue again (each
 * send tries it first, and long-running processes call it on a timer). Nothing here throws to the
 * caller: a process never fails because mail did not go. With no email config every email is
 * stored.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../log/logger.ts';
import { type EmailMessage, EmailStore, newEmailId, type StoredReason } from '../store/email-store.ts';
import type { Mailer } from './mailer.ts';

export const DUPLICATE_WINDOW_MS = 24 * 3_600_000;

export type SendOutcome = 'sent' | 'stored' | 'queued';

export class EmailSender {
  private retrying: Promise<void> | undefined;
  private readonly inflight = new Set<Promise<SendOutcome>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: EmailStore,
    private readonly mailer: Mailer | undefined,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  private async keep(m: EmailMessage, reason: StoredReason): Promise<SendOutcome> {
    await this.store.store({ ...m, id: newEmailId(), createdAt: this.clock.now(), reason });
    this.log.info({ component: 'email', subject: m.subject, reason }, 'email stored, not sent');
    return 'stored';
  }

  /** Send, store or queue one email; never throws. */
  send(m: EmailMessage): Promise<SendOutcome> {
    const p = this.handle(m).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
    return p;
  }

  /** Resolves when every email handed to `send` so far is sent, stored or queued. */
  async flush(): Promise<void> {
    await Promise.all([...this.inflight]);
  }

  private async handle(m: EmailMessage): Promise<SendOutcome> {
    try {
      await this.retryPending();
      if (!this.mailer) return await this.keep(m, 'email not configured');
      const now = this.clock.now();
      if (!m.report) {
        const last = await this.store.lastSent(m.subject);
        const waiting = (await this.store.outbox()).some((o) => o.subject === m.subject);
        if (waiting || (last !== undefined && now - last < DUPLICATE_WINDOW_MS))
          return await this.keep(m, 'duplicate subject within 24 h');
      }
      try {
        await this.mailer.send(m);
      } catch (err) {
        await this.store.queue({
          ...m,
          id: newEmailId(),
          createdAt: now,
          attempts: 1,
          lastError: String(err),
          lastAttempt: now,
        });
        this.log.error({ component: 'email', subject: m.subject, err }, 'email not sent: queued for retry');
        return 'queued';
      }
      await this.store.recordSent(m.subject, this.clock.now());
      this.log.info({ component: 'email', subject: m.subject }, 'email sent');
      return 'sent';
    } catch (err) {
      // the email store itself failed (bus down): log, never throw to the caller
      this.log.error({ component: 'email', subject: m.subject, err }, 'email could not be handled');
      return 'queued';
    }
  }

  /** Try every queued email once, oldest first; stop at the first failure (the server is down). */
  retryPending(): Promise<void> {
    this.retrying ??= this.retryOnce().finally(() => {
      this.retrying = undefined;
    });
    return this.retrying;
  }

  private async retryOnce(): Promise<void> {
    if (!this.mailer) return;
    for (const e of await this.store.outbox()) {
      try {
        await this.mailer.send(e);
      } catch (err) {
        await this.store.queue({
          ...e,
          attempts: e.attempts + 1,
          lastError: String(err),
          lastAttempt: this.clock.now(),
        });
        this.log.warn(
          { component: 'email', subject: e.subject, attempts: e.attempts + 1, err },
          'email retry failed',
        );
        return;
      }
      await this.store.dequeue(e.id);
      await this.store.recordSent(e.subject, this.clock.now());
      this.log.info(
        { component: 'email', subject: e.subject, attempts: e.attempts + 1 },
        'queued email sent',
      );
    }
  }

  /** Retry the outbox every `everyMs` until `stop` (the timer does not keep the process alive). */
  startRetrying(everyMs = 60_000): void {
    this.timer ??= setInterval(() => {
      this.retryPending().catch((err: unknown) =>
        this.log.warn({ component: 'email', err }, 'email outbox unreadable'),
      );
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.mailer?.close();
  }
}
