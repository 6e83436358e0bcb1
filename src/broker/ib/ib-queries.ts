/**
 * The IB adapter's account-side questions (stack-notes §1.2): open orders of every client,
 * executions since a time, positions and the account summary. Answers are collected by the
 * request router (requests.ts) from the events attach.ts routes; a question that fails throws,
 * so "unknown" is never read as "flat" or "zero".
 */
import type { IBApi } from '@stoqey/ib';
import type { AccountValue, BrokerPosition } from '../port.ts';
import { sumPositions } from '../orders.ts';
import { IbRequestFailed } from './errors.ts';
import { type IbRequests, OPEN_ORDERS_ID, POSITIONS_ID } from './requests.ts';

export interface IbQueryDeps {
  api(): IBApi;
  requests: IbRequests;
  /** The account positions and net liquidation are read for (undefined: any). */
  account(): string | undefined;
  now(): number;
}

/** IB's execution filter time: `yyyyMMdd-HH:mm:ss` (UTC). */
export function ibFilterTime(t: number): string {
  const d = new Date(t);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export class IbQueries {
  constructor(private readonly d: IbQueryDeps) {}

  /** reqAllOpenOrders (every client's orders, so a changed client id still finds ours). */
  openOrders(): Promise<Array<{ orderRef: string; orderId: number }>> {
    return this.d.requests.serial(OPEN_ORDERS_ID, 'open orders', () => this.d.api().reqAllOpenOrders());
  }

  /** reqExecutions since a time: the executions arrive as execDetails (into the order book). */
  executions(since: number): Promise<unknown[]> {
    const time = ibFilterTime(since);
    return this.d.requests.open('executions', (id) => this.d.api().reqExecutions(id, { time }));
  }

  /** The account's positions, summed per contract (flat ones left out). */
  async positions(): Promise<BrokerPosition[]> {
    const rows = await this.d.requests.serial<BrokerPosition & { account: string }>(
      POSITIONS_ID,
      'positions',
      () => this.d.api().reqPositions(),
    );
    const acct = this.d.account();
    return sumPositions(rows.filter((r) => acct === undefined || r.account === acct));
  }

  /**
   * Net liquidation (required) and the maintenance margin (FullMaintMarginReq, when IB reports it
   * in the same currency; otherwise left undefined, never zero).
   */
  async accountValue(): Promise<AccountValue> {
    type Row = { account: string; tag: string; value: string; currency: string };
    const rows = await this.d.requests.open<Row>('account summary', (id) =>
      this.d.api().reqAccountSummary(id, 'All', 'NetLiquidation,FullMaintMarginReq'),
    );
    const acct = this.d.account();
    const find = (tag: string) =>
      rows.find((r) => r.tag === tag && (acct === undefined || r.account === acct));
    const row = find('NetLiquidation');
    const value = row ? Number(row.value) : Number.NaN;
    if (!row || !Number.isFinite(value))
      throw new IbRequestFailed(`account summary: no NetLiquidation for account ${acct ?? '(any)'}`, 0, -1);
    const m = find('FullMaintMarginReq');
    const margin =
      m && m.currency === row.currency && m.value.trim() !== '' && Number.isFinite(Number(m.value))
        ? Number(m.value)
        : undefined;
    return {
      value,
      currency: row.currency,
      time: this.d.now(),
      ...(margin === undefined ? {} : { margin }),
    };
  }
}
