/**
 * Critical log entries become emails (production doc "Logging": "an email will be sent to the
 * user if emails are set up"). The subject names the process and the message, so the same alert
 * within 24 hours is stored instead of sent (digest P14). The log module only calls the hook;
 * this wiring is done by the process entry (`src/cli/context.ts`).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Clock } from '../clock.ts';
import type { CriticalNotice, CriticalNotifier, Logger, RootLogger } from '../log/logger.ts';
import { EmailStore } from '../store/email-store.ts';
import { emailSettings, smtpMailer } from './mailer.ts';
import { EmailSender } from './sender.ts';

export function criticalSubject(n: CriticalNotice): string {
  const msg = n.msg.length > 120 ? `${n.msg.slice(0, 117)}...` : n.msg;
  return `systack critical: ${n.process}: ${msg}`;
}

export function criticalBody(n: CriticalNotice, now: number): string {
  return [
    `Critical log from ${n.process} at ${new Date(now).toISOString()}:`,
    '',
    n.msg,
    '',
    ...Object.entries(n.fields).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`),
  ].join('\n');
}

export function criticalNotifier(sender: EmailSender, clock: Clock): CriticalNotifier {
  return (n) => {
    void sender.send({ subject: criticalSubject(n), text: criticalBody(n, clock.now()) });
  };
}

/** The process's email sender (SMTP when configured, else storing every email). */
export async function openEmailSender(
  nc: NatsConnection,
  prefix: string,
  system: Parameters<typeof emailSettings>[0],
  clock: Clock,
  log: Logger,
): Promise<EmailSender> {
  const settings = emailSettings(system);
  return new EmailSender(await EmailStore.open(nc, prefix), settings && smtpMailer(settings), clock, log);
}

/**
 * Every critical log of this process sends an alert; the outbox is retried every minute. When
 * the email store cannot be opened (e.g. a bus user without rights to it) the process goes on
 * with the log-only notifier, and says so.
 */
export async function attachEmailAlerts(
  root: RootLogger,
  nc: NatsConnection,
  prefix: string,
  system: Parameters<typeof emailSettings>[0],
  clock: Clock,
): Promise<EmailSender | undefined> {
  let sender: EmailSender;
  try {
    sender = await openEmailSender(nc, prefix, system, clock, root.log);
  } catch (err) {
    root.log.warn({ component: 'email', err }, 'email store unavailable: critical logs are not emailed');
    return undefined;
  }
  root.setCriticalNotifier(criticalNotifier(sender, clock));
  sender.startRetrying();
  return sender;
}
