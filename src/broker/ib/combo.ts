/**
 * What IB is sent for an order's legs: one leg → its futures contract; two or more legs of one
 * instrument (a calendar spread, e.g. a roll: sell the priced contract, buy the forward) → a BAG
 * contract whose combo legs are the legs' conIds. The combo's quantity is the greatest common
 * divisor of the legs' sizes, each leg's ratio its size over that, its action its sign; the combo
 * is bought, so a limit price is the spread's price per combo: Σ sign × ratio × leg price.
 */
import { type ComboLeg as IbComboLeg, type Contract, OrderAction, SecType } from '@stoqey/ib';
import type { BrokerLeg, ContractId } from '../port.ts';
import { futuresConfig } from './contracts.ts';
import { IbOrderUnsupported } from './errors.ts';
import type { IbFuturesConfig, IbInstrumentConfig } from './ib-config.ts';
import type { ResolvedContract } from './ib-market.ts';
import type { ComboLeg } from './order-book.ts';

export interface IbOrderPlan {
  contract: Contract;
  action: OrderAction;
  totalQuantity: number;
  /** Signed quantity recorded for the order: contracts, or combos for a BAG. */
  qty: number;
  /** The contract the order is recorded on (a combo's first leg). */
  first: ContractId;
  /** A BAG's legs (undefined for a single contract). */
  legs?: ComboLeg[];
  /** The instrument's IB config (its price magnifier converts limit prices). */
  cfg: IbFuturesConfig;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export async function planIbOrder(
  orderRef: string,
  legs: BrokerLeg[],
  instruments: IbInstrumentConfig,
  resolve: (c: ContractId) => Promise<ResolvedContract>,
): Promise<IbOrderPlan> {
  const first = legs[0];
  if (!first) throw new IbOrderUnsupported(`order ${orderRef}: no legs`);
  for (const l of legs)
    if (!Number.isInteger(l.qty) || l.qty === 0)
      throw new IbOrderUnsupported(`order ${orderRef}: leg quantities must be non-zero integers`);
  const cfg = futuresConfig(instruments, first.instrumentCode);
  const firstId = { instrumentCode: first.instrumentCode, contractDate: first.contractDate };
  if (legs.length === 1) {
    const { contract } = await resolve(first);
    return {
      contract,
      action: first.qty > 0 ? OrderAction.BUY : OrderAction.SELL,
      totalQuantity: Math.abs(first.qty),
      qty: first.qty,
      first: firstId,
      cfg,
    };
  }
  if (legs.some((l) => l.instrumentCode !== first.instrumentCode))
    throw new IbOrderUnsupported(
      `order ${orderRef}: spread legs of different instruments; the IB adapter sends calendar spreads (one instrument) only`,
    );
  const dates = new Set(legs.map((l) => l.contractDate));
  if (dates.size !== legs.length)
    throw new IbOrderUnsupported(`order ${orderRef}: two spread legs on the same contract`);
  const size = legs.reduce((g, l) => gcd(g, Math.abs(l.qty)), 0);
  const comboLegs: IbComboLeg[] = [];
  let currency = cfg.currency;
  for (const l of legs) {
    const { contract, details } = await resolve(l);
    if (currency === '') currency = details.contract.currency ?? '';
    comboLegs.push({
      conId: contract.conId,
      ratio: Math.abs(l.qty) / size,
      action: l.qty > 0 ? OrderAction.BUY : OrderAction.SELL,
      exchange: contract.exchange ?? cfg.exchange,
    });
  }
  return {
    contract: {
      symbol: cfg.symbol,
      secType: SecType.BAG,
      exchange: cfg.exchange,
      currency,
      comboLegs,
    },
    action: OrderAction.BUY,
    totalQuantity: size,
    qty: size,
    first: firstId,
    legs: legs.map((l) => ({
      instrumentCode: l.instrumentCode,
      contractDate: l.contractDate,
      ratio: l.qty / size,
    })),
    cfg,
  };
}
