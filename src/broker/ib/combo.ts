/**
 * What IB is sent for an order's legs: one leg → its futures contract; two or more legs → a BAG
 * contract whose combo legs are the legs' conIds (IB "Spreads": a combo is defined by its legs'
 * conIds). The combo's quantity is the greatest common divisor of the legs' sizes, each leg's
 * ratio its size over that, its action its sign; the combo is bought, so a limit price (and a
 * combo quote) is the spread's price per combo: Σ sign × ratio × leg price.
 *
 * Legs of one instrument (a calendar spread, e.g. a roll) and of different instruments (an
 * inter-commodity spread, e.g. US10 against US5 on CBOT) are both sent, where IB can take them as
 * one combo: every leg on the same exchange in the same currency. Refused before anything is sent
 * (IbOrderUnsupported, with the reason): legs on different exchanges or in different currencies
 * (IB has no such combo for futures), legs whose price magnifiers differ (the combo's price could
 * not be converted between IB's units and ours), two legs on the same contract, a leg of an
 * instrument without IB config.
 */
import { type ComboLeg as IbComboLeg, type Contract, OrderAction, SecType } from '@stoqey/ib';
import type { BrokerLeg, ContractId } from '../port.ts';
import { comboSize } from '../spread.ts';
import { futuresConfig, type ResolvedContract } from './contracts.ts';
import { IbOrderUnsupported } from './errors.ts';
import type { IbFuturesConfig, IbInstrumentConfig } from './ib-config.ts';
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
  const combo = await planIbCombo(`order ${orderRef}`, legs, instruments, resolve);
  return {
    contract: combo.contract,
    action: OrderAction.BUY,
    totalQuantity: combo.size,
    qty: combo.size,
    first: firstId,
    legs: combo.legs,
    cfg: combo.cfg,
  };
}

export interface IbCombo {
  /** The BAG contract. */
  contract: Contract;
  /** Combos the legs' sizes make (their greatest common divisor). */
  size: number;
  /** Our legs with their signed ratio per combo. */
  legs: ComboLeg[];
  /** The first leg's instrument config (every leg shares its price magnifier). */
  cfg: IbFuturesConfig;
}

/** The BAG for two or more legs, or IbOrderUnsupported naming why IB cannot take them as one. */
export async function planIbCombo(
  what: string,
  legs: BrokerLeg[],
  instruments: IbInstrumentConfig,
  resolve: (c: ContractId) => Promise<ResolvedContract>,
): Promise<IbCombo> {
  const first = legs[0];
  if (!first || legs.length < 2) throw new IbOrderUnsupported(`${what}: a combo needs two or more legs`);
  for (const l of legs)
    if (!Number.isInteger(l.qty) || l.qty === 0)
      throw new IbOrderUnsupported(`${what}: leg quantities must be non-zero integers`);
  const keys = new Set(legs.map((l) => `${l.instrumentCode}/${l.contractDate}`));
  if (keys.size !== legs.length)
    throw new IbOrderUnsupported(`${what}: two spread legs on the same contract`);
  const cfgs = legs.map((l) => futuresConfig(instruments, l.instrumentCode));
  const cfg = cfgs[0]!;
  const magnifiers = new Set(cfgs.map((c) => c.priceMagnifier));
  if (magnifiers.size > 1)
    throw new IbOrderUnsupported(
      `${what}: spread legs with different price magnifiers (${legs.map((l, i) => `${l.instrumentCode} ${cfgs[i]!.priceMagnifier}`).join(', ')}); a combo price cannot be converted between IB's units and ours`,
    );
  const resolved: ResolvedContract[] = [];
  for (const l of legs) resolved.push(await resolve(l));
  const exchanges = resolved.map((r, i) => r.contract.exchange || cfgs[i]!.exchange);
  const currencies = resolved.map((r, i) => r.details.contract.currency || cfgs[i]!.currency);
  const differ = (xs: string[]) => new Set(xs).size > 1;
  const listed = (xs: string[]) => legs.map((l, i) => `${l.instrumentCode} ${xs[i]}`).join(', ');
  if (differ(exchanges))
    throw new IbOrderUnsupported(
      `${what}: spread legs on different exchanges (${listed(exchanges)}); IB takes a futures combo only when every leg is on one exchange`,
    );
  if (differ(currencies))
    throw new IbOrderUnsupported(
      `${what}: spread legs in different currencies (${listed(currencies)}); IB takes a futures combo only in one currency`,
    );
  const size = comboSize(legs);
  const comboLegs: IbComboLeg[] = legs.map((l, i) => ({
    conId: resolved[i]!.contract.conId,
    ratio: Math.abs(l.qty) / size,
    action: l.qty > 0 ? OrderAction.BUY : OrderAction.SELL,
    exchange: exchanges[i]!,
  }));
  // IB: a combo's symbol is one leg's symbol, or for two legs both symbols separated by a comma.
  const symbols = [...new Set(cfgs.map((c) => c.symbol))];
  const symbol = symbols.length === 2 ? symbols.join(',') : cfg.symbol;
  return {
    contract: {
      symbol,
      secType: SecType.BAG,
      exchange: exchanges[0]!,
      currency: currencies[0]!,
      comboLegs,
    },
    size,
    legs: legs.map((l) => ({
      instrumentCode: l.instrumentCode,
      contractDate: l.contractDate,
      ratio: l.qty / size,
    })),
    cfg,
  };
}
