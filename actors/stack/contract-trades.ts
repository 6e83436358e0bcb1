/**
 * An instrument order's contract orders (digest C3–C8): which contract trades it needs by roll
 * state, which algo they use, and each contract order's record before it goes on the stack.
 */
import type { StackCore } from './core.ts';
import { contractOrderTypeFor } from '../../src/domain/orders/index.ts';
import { CONTRACT_INITIAL } from './order-inputs.ts';
import { logCritical } from './ports.ts';
import type { AlgoName, ContractOrder, InstrumentOrder } from './types.ts';

/** C6: which algo a child of this instrument order uses. */
export function allocateAlgo(core: StackCore, io: InstrumentOrder): AlgoName | '' {
  const override = core.deps.config.algoOverrides?.[io.instrumentCode];
  if (override) return override;
  switch (io.orderType) {
    case 'market':
    case 'panic':
      return 'market';
    case 'limit':
      return 'limit';
    case 'best':
    case 'Zero-roll-order':
      return 'best';
    case 'balance_trade':
      logCritical(core.log, 'balance trade orders are not executed by an algo', {
        instrument_order_id: io.id,
      });
      return '';
    default:
      return 'best';
  }
}

/** C3/C4: the contract trades for an instrument order, by roll state. [] leaves the order NEW. */
export function requiredContractTrades(
  core: StackCore,
  io: InstrumentOrder,
): Array<{ contractDate: string; trade: number }> {
  const { contracts } = core.deps;
  const instrument = io.instrumentCode;
  const priced = contracts.pricedContract(instrument);
  const forward = contracts.forwardContract(instrument);
  const t = io.trade;
  const p = core.contractPosition(instrument, priced);
  const passive = (): Array<{ contractDate: string; trade: number }> => {
    if (p === 0 || Math.sign(t) === Math.sign(p)) return [{ contractDate: forward, trade: t }];
    if (p + t === 0 || Math.sign(p + t) === Math.sign(p)) return [{ contractDate: priced, trade: t }];
    return [
      { contractDate: priced, trade: -p },
      { contractDate: forward, trade: t + p },
    ];
  };
  const state = contracts.rollState(instrument);
  switch (state) {
    case 'No_Roll':
    case 'No_Open':
      return [{ contractDate: priced, trade: t }];
    case 'Passive':
      return passive();
    case 'Close':
    case 'Roll_Adjusted':
      return [];
    case 'Force':
    case 'Force_Outright':
      return p !== 0 && Math.sign(t) !== Math.sign(p) ? passive() : [];
    default:
      logCritical(core.log, `unknown roll state ${String(state)}`, { instrument_code: instrument });
      return [];
  }
}

/** An instrument order's contract order for one contract trade (C5–C8), not yet on the stack. */
export function childContractOrder(
  core: StackCore,
  io: InstrumentOrder,
  id: number,
  t: { contractDate: string; trade: number },
): ContractOrder {
  return {
    level: 'contract',
    id,
    strategyName: io.strategyName,
    instrumentCode: io.instrumentCode,
    contractDate: t.contractDate,
    trade: t.trade,
    fill: 0,
    overfill: 0,
    locked: false,
    parent: io.id,
    children: [],
    active: true,
    orderType: contractOrderTypeFor(io.orderType),
    state: CONTRACT_INITIAL,
    version: 1,
    createdAt: core.now(),
    manualTrade: io.manualTrade,
    algoToUse: allocateAlgo(core, io),
    // C7 (price translation between contracts) needs both contracts' price histories; kept only
    // when the child trades the reference contract itself.
    referencePrice: io.referenceContract === t.contractDate ? io.referencePrice : undefined,
    limitPrice: io.limitPrice,
    manualFill: 0,
    manualExecIds: [],
    rollOrder: io.rollOrder,
  };
}
