/**
 * SMTP through nodemailer with the reference's keys (production doc "Reporting"): from
 * `email_address` (also the login, with `email_pwd`) to `email_to`, via `email_server` on
 * `email_port` (default 587). TLS is negotiated when the server offers it (STARTTLS; implicit
 * TLS on port 465); plain SMTP only when it does not, as the reference does.
 */
import type { Transporter } from 'nodemailer';
import type { EmailMessage } from '../store/email-store.ts';

export const DEFAULT_EMAIL_PORT = 587;

export interface EmailSettings {
  from: string;
  to: string;
  host: string;
  port: number;
  password?: string;
}

/** The email settings, or undefined when a key needed to send is missing. */
export function emailSettings(system: {
  email_address?: string;
  email_pwd?: string;
  email_server?: string;
  email_to?: string;
  email_port?: number;
}): EmailSettings | undefined {
  if (!system.email_address || !system.email_server || !system.email_to) return undefined;
  return {
    from: system.email_address,
    to: system.email_to,
    host: system.email_server,
    port: system.email_port ?? DEFAULT_EMAIL_PORT,
    password: system.email_pwd || undefined,
  };
}

export interface Mailer {
  send(message: EmailMessage): Promise<void>;
  close(): void;
}

/** nodemailer is loaded on the first send (a process that never sends an email never loads it). */
export function smtpMailer(s: EmailSettings): Mailer {
  let transport: Promise<Transporter> | undefined;
  const open = () =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        host: s.host,
        port: s.port,
        secure: s.port === 465,
        auth: s.password ? { user: s.from, pass: s.password } : undefined,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      }),
    ));
  return {
    async send(m) {
      await (
        await open()
      ).sendMail({
        from: s.from,
        to: s.to,
        subject: m.subject,
        text: m.text,
        ...(m.html ? { html: m.html } : {}),
        ...(m.attachments ? { attachments: m.attachments } : {}),
      });
    },
    close: () => void transport?.then((t) => t.close()),
  };
}
