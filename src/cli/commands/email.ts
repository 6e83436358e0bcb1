/**
 * `systack email list|show` (production doc "View stored emails"): emails kept instead of sent
 * (the same subject sent within 24 hours, or no email config) and emails waiting in the outbox
 * after a failed send. `show` prints stored emails and deletes them from the store, as the
 * reference does (`--keep` leaves them).
 */
import type { Command } from 'commander';
import { EmailStore } from '../../store/email-store.ts';
import { withBus } from '../context.ts';
import { CliError, printResult } from '../output.ts';

interface Common {
  natsUrl?: string;
  json?: boolean;
}

const iso = (t: number) => new Date(t).toISOString().slice(0, 19).replace('T', ' ');

export function register(program: Command): void {
  const email = program
    .command('email')
    .description('Stored emails (not sent: duplicates, no config) and the outbox');
  const common = (c: Command) =>
    c
      .option('--nats-url <url>', 'NATS server (default: config or the running system)')
      .option('--json', 'print JSON');

  common(email.command('list').description('Stored emails and emails waiting to be retried')).action(
    (o: Common) =>
      withBus({ natsUrl: o.natsUrl }, async ({ nc, prefix }) => {
        const store = await EmailStore.open(nc, prefix);
        const rows = [
          ...(await store.stored()).map((e) => ({
            id: e.id,
            state: 'stored',
            created: iso(e.createdAt),
            subject: e.subject,
            why: e.reason,
          })),
          ...(await store.outbox()).map((e) => ({
            id: e.id,
            state: 'queued',
            created: iso(e.createdAt),
            subject: e.subject,
            why: `send failed ${e.attempts}x: ${e.lastError}`,
          })),
        ];
        printResult(rows, { json: o.json });
      }),
  );

  common(
    email
      .command('show [id]')
      .description('Print stored emails (all, or one) and delete them from the store'),
  )
    .option('--keep', 'do not delete them after printing')
    .action((id: string | undefined, o: Common & { keep?: boolean }) =>
      withBus({ natsUrl: o.natsUrl }, async ({ nc, prefix }) => {
        const store = await EmailStore.open(nc, prefix);
        const all = await store.stored();
        const shown = id === undefined ? all : all.filter((e) => e.id === id);
        if (id !== undefined && shown.length === 0)
          throw new CliError(`no stored email '${id}': see 'systack email list'`);
        if (o.json)
          printResult(
            shown.map(({ html: _h, attachments: _a, ...e }) => e),
            { json: true },
          );
        else if (shown.length === 0) process.stdout.write('no stored emails\n');
        else
          process.stdout.write(
            shown
              .map(
                (e) =>
                  `Subject: ${e.subject}\nDate: ${iso(e.createdAt)} UTC\nStored: ${e.reason}\n\n${e.text}\n`,
              )
              .join('\n----\n\n'),
          );
        if (!o.keep) for (const e of shown) await store.deleteStored(e.id);
      }),
    );
}
