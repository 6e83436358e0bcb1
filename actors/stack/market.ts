import type { ContractId } from '../../src/broker/port.ts';
import type { StackCore } from './core.ts';
import type { ContractOrder } from './types.ts';

const IMBALANCE_THRESHOLD = 5;
const IMBALANCE_ADJ_FACTOR = 3;

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

/** E2.4: an adverse size issue: offside/side size > 5 and side size < 3·|qty|. */
export function adverseSize(qty: number, bidSize: number, askSize: number): boolean {
  const side = qty > 0 ? askSize : bidSize;
  const offside = qty > 0 ? bidSize : askSize;
  const imbalance = side === 0 ? 9999 : offside / side;
  return imbalance > IMBALANCE_THRESHOLD && side < IMBALANCE_ADJ_FACTOR * Math.abs(qty);
}

export async function marketClosing(core: StackCore, co: ContractOrder): Promise<boolean> {
  const buffer = core.deps.config.closingBufferMs ?? 1_800_000;
  try {
    const hours = await core.deps.broker.tradingHours(co);
    const now = core.now();
    const s = hours.sessions.find((x) => x.open <= now && now < x.close);
    return !s || s.close - now < buffer;
  } catch {
    return true;
  }
}
