/**
 * Capital operations (digest §5): what `run_capital_update` and the interactive capital tool
 * do, over the capital storage port. Each operation validates first and writes nothing on a
 * bad input. A large change is held (critical log) until `accept` with a fresh broker poll.
 */
import { ErrorCodes, ServiceError } from '../src/bus/service.ts';
import type { Clock } from '../src/clock.ts';
import {
  AllocationError,
  type AllowanceEntry,
  allocateStrategyCapital,
  allowanceBalance,
  checkAllowanceEntry,
  type StrategyCapitalMethod,
} from '../src/domain/capital/strategy-allocation.ts';
import {
  acceptLargeChange,
  adjustForDelta,
  CapitalError,
  type CapitalMethod,
  type CapitalModification,
  type CapitalRow,
  deleteCapitalSince,
  initialiseCapital,
  modifyCapital,
  type PendingCapitalChange,
  updateTotalCapital,
} from '../src/domain/capital/total-capital.ts';
import { type Logger, logCritical } from '../src/log/logger.ts';
import { type CapitalStore, latestStrategyCapital, latestTotal } from '../src/store/capital-store.ts';

export interface AccountValueReading {
  value: number;
  margin?: number;
}

export interface CapitalOpsDeps {
  store: CapitalStore;
  clock: Clock;
  method: CapitalMethod;
  /** Fractional change above which an update is held (config `capital_max_change`, 0.1). */
  maxChange: number;
  /** Poll the broker; absent when no broker is connected (then a value must be given). */
  accountValue?: () => Promise<AccountValueReading>;
  strategies: Record<string, StrategyCapitalMethod>;
  log?: Logger;
}

export type UpdateOutcome =
  { outcome: 'written'; row: CapitalRow } | { outcome: 'held'; pending: PendingCapitalChange };

function asServiceError(err: unknown): never {
  if (err instanceof CapitalError) {
    const code =
      err.code === 'bad_value'
        ? ErrorCodes.badRequest
        : err.code === 'already_initialised'
          ? ErrorCodes.conflict
          : ErrorCodes.unprocessable;
    throw new ServiceError(code, err.message);
  }
  if (err instanceof AllocationError) throw new ServiceError(ErrorCodes.unprocessable, err.message);
  throw err;
}

export class CapitalOps {
  constructor(private readonly deps: CapitalOpsDeps) {}

  private async reading(given?: number): Promise<AccountValueReading> {
    if (given !== undefined) return { value: given };
    if (!this.deps.accountValue)
      throw new ServiceError(ErrorCodes.unprocessable, 'no broker connected: give the account value');
    return this.deps.accountValue();
  }

  async show() {
    const store = this.deps.store;
    const strategies: Record<string, { capital: number; timestamp: number } | null> = {};
    for (const s of Object.keys(this.deps.strategies)) {
      const v = await latestStrategyCapital(store, s);
      strategies[s] = v ? { capital: v.capital, timestamp: v.timestamp } : null;
    }
    return {
      method: this.deps.method,
      total: (await latestTotal(store)) ?? null,
      pending: (await store.getPending()) ?? null,
      strategies,
    };
  }

  async history() {
    return this.deps.store.totalHistory();
  }

  /** `update_total_capital`: poll, apply the method, or hold a large change. */
  async update(accountValue?: number): Promise<UpdateOutcome> {
    const r = await this.reading(accountValue);
    const prev = await latestTotal(this.deps.store);
    let result: UpdateOutcome;
    try {
      result = updateTotalCapital(prev, r.value, this.deps.method, this.deps.clock.now(), {
        checkLimit: this.deps.maxChange,
        margin: r.margin,
      });
    } catch (err) {
      asServiceError(err);
    }
    if (result.outcome === 'held') {
      await this.deps.store.setPending(result.pending);
      if (this.deps.log)
        logCritical(this.deps.log, 'Large capital change held for confirmation', {
          component: 'capital',
          ...result.pending,
        });
      return result;
    }
    await this.deps.store.appendTotal(result.row);
    await this.deps.store.setPending(undefined);
    return result;
  }

  /** Accept a held change after a fresh poll. */
  async accept(accountValue?: number): Promise<CapitalRow> {
    const pending = await this.deps.store.getPending();
    const prev = await latestTotal(this.deps.store);
    if (!pending)
      throw new ServiceError(ErrorCodes.unprocessable, 'there is no large capital change waiting');
    const r = await this.reading(accountValue);
    let row: CapitalRow;
    try {
      row = acceptLargeChange(prev, pending, r.value, this.deps.method, this.deps.clock.now(), {
        margin: r.margin,
      });
    } catch (err) {
      asServiceError(err);
    }
    await this.deps.store.appendTotal(row);
    await this.deps.store.setPending(undefined);
    return row;
  }

  async flow(delta: number): Promise<CapitalRow> {
    let row: CapitalRow;
    try {
      row = adjustForDelta(await latestTotal(this.deps.store), delta, this.deps.clock.now());
    } catch (err) {
      asServiceError(err);
    }
    await this.deps.store.appendTotal(row);
    return row;
  }

  async initialise(values: {
    broker_account_value: number;
    total_capital?: number;
    max_capital?: number;
    accumulated_pnl?: number;
  }): Promise<CapitalRow> {
    if (await latestTotal(this.deps.store))
      throw new ServiceError(
        ErrorCodes.conflict,
        'capital is already initialised: use modify or delete-since',
      );
    let row: CapitalRow;
    try {
      row = initialiseCapital(this.deps.clock.now(), values);
    } catch (err) {
      asServiceError(err);
    }
    await this.deps.store.appendTotal(row);
    return row;
  }

  async modify(changes: CapitalModification): Promise<CapitalRow> {
    let row: CapitalRow;
    try {
      row = modifyCapital(await latestTotal(this.deps.store), changes, this.deps.clock.now());
    } catch (err) {
      asServiceError(err);
    }
    await this.deps.store.appendTotal(row);
    return row;
  }

  async deleteSince(since: number): Promise<{ deleted: number; remaining: number }> {
    const rows = await this.deps.store.totalHistory();
    const keep = deleteCapitalSince(rows, since);
    const deleted = await this.deps.store.deleteTotalSince(since);
    return { deleted, remaining: keep.length };
  }

  /** `strategy_allocation`: write each strategy's capital with a timestamp (digest §5.2). */
  async allocate(): Promise<Record<string, number>> {
    const total = await latestTotal(this.deps.store);
    if (!total) throw new ServiceError(ErrorCodes.unprocessable, 'capital has not been initialised');
    const ledgers: Record<string, AllowanceEntry[]> = {};
    for (const [name, m] of Object.entries(this.deps.strategies))
      if (m.method === 'allowance') ledgers[name] = await this.deps.store.ledger(name);
    let alloc: Record<string, number>;
    try {
      alloc = allocateStrategyCapital({
        total_capital: total.total_capital,
        strategies: this.deps.strategies,
        ledgers,
      });
    } catch (err) {
      asServiceError(err);
    }
    const now = this.deps.clock.now();
    for (const [strategy_name, capital] of Object.entries(alloc))
      await this.deps.store.appendStrategyCapital({ strategy_name, capital, timestamp: now });
    return alloc;
  }

  /** Add to an allowance strategy's ledger (its starting amount, P&L, fees or a flow). */
  async ledgerAdd(strategy: string, kind: AllowanceEntry['kind'], amount: number) {
    const m = Object.hasOwn(this.deps.strategies, strategy) ? this.deps.strategies[strategy] : undefined;
    if (!m) throw new ServiceError(ErrorCodes.badRequest, `unknown strategy ${strategy}`);
    if (m.method !== 'allowance')
      throw new ServiceError(ErrorCodes.unprocessable, `strategy ${strategy} is not on the allowance method`);
    const entries = await this.deps.store.ledger(strategy);
    const entry: AllowanceEntry = { timestamp: this.deps.clock.now(), kind, amount };
    try {
      checkAllowanceEntry(entries, entry);
    } catch (err) {
      asServiceError(err);
    }
    await this.deps.store.appendLedger(strategy, entry);
    return allowanceBalance([...entries, entry]);
  }
}
