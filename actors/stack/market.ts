import type { ContractId } from '../../src/broker/port.ts';
import type { StackCore } from './core.ts';

/** Is the contract tradeable now (broker trading hours, D1.5)? */
export async function okayToTradeNow(core: StackCore, c: ContractId): Promise<boolean> {
  try {
    const hours = await core.deps.broker.tradingHours(c);
    const now = core.now();
    return hours.sessions.some((s) => s.open <= now && now < s.close);
  } catch {
    return false;
  }
}

/** Liquidity (D2.4): cap at the offside size of the top of book; no market data means 0. */
export async function liquidityCap(core: StackCore, c: ContractId, qty: number): Promise<number> {
  try {
    const snap = await core.deps.broker.marketSnapshot(c);
    const size = qty > 0 ? snap.bidSize : snap.askSize;
    return Math.sign(qty) * Math.min(Math.abs(qty), Math.max(0, Math.floor(size)));
  } catch {
    return 0;
  }
}
