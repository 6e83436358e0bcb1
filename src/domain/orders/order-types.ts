/**
 * Value types of the three order levels (digest §1.1–1.3; production.md "Positions and order
 * levels"). Ids are strings assigned by the stack (the reference's per-collection int counter is
 * not atomic, §1.4). Datetimes are epoch ms from the clock port. Prices are floats.
 */

/** Instrument order types (digest §1.1). `Zero-roll-order` is spelled as in the reference. */
export const INSTRUMENT_ORDER_TYPES = [
  'best',
  'market',
  'limit',
  'Zero-roll-order',
  'balance_trade',
  'panic',
  'transfer_trade',
] as const;
export type InstrumentOrderType = (typeof INSTRUMENT_ORDER_TYPES)[number];

/** Contract order types (digest §1.2); `''` is the reference's "no type". */
export const CONTRACT_ORDER_TYPES = ['best', 'market', 'limit', 'balance_trade', '', 'panic'] as const;
export type ContractOrderType = (typeof CONTRACT_ORDER_TYPES)[number];

/** Broker order types (digest §1.3): the broker's market / limit / snap variants. */
export const BROKER_ORDER_TYPES = [
  'market',
  'limit',
  'balance_trade',
  'snap_mkt',
  'snap_mid',
  'snap_prim',
  'adaptive_mkt',
] as const;
export type BrokerOrderType = (typeof BROKER_ORDER_TYPES)[number];

/** Contract order type inherited from the parent instrument order's type (digest §1.2). */
export function contractOrderTypeFor(parent: InstrumentOrderType): ContractOrderType {
  switch (parent) {
    case 'best':
    case 'Zero-roll-order':
      return 'best';
    case 'market':
      return 'market';
    case 'limit':
      return 'limit';
    case 'panic':
      return 'panic';
    case 'balance_trade':
      return 'balance_trade';
    default:
      return '';
  }
}

/** Fields every level shares (digest §1.0 `Order`), apart from fill state which a FillLedger holds. */
export interface OrderBaseFields {
  readonly orderId: string;
  /** null = "no parent". Can be set once. */
  readonly parentId: string | null;
  readonly strategyName: string;
  readonly instrumentCode: string;
  /** Desired trade per leg. */
  readonly trade: readonly number[];
  readonly generatedDatetime: number;
  readonly manualTrade: boolean;
  readonly rollOrder: boolean;
}

/** Instrument order (strategy × instrument; single leg). Digest §1.1. */
export interface InstrumentOrderFields extends OrderBaseFields {
  readonly orderType: InstrumentOrderType;
  readonly limitPrice: number | null;
  /** YYYYMM(DD) of the contract the limit is quoted in. */
  readonly limitContract: string | null;
  readonly referencePrice: number | null;
  readonly referenceContract: string | null;
  readonly referenceDatetime: number | null;
}

/** Contract order (instrument × contract date(s); one or two legs). Digest §1.2. */
export interface ContractOrderFields extends OrderBaseFields {
  /** One date per leg, sorted ascending; trade legs follow the same order. */
  readonly contractDates: readonly string[];
  readonly orderType: ContractOrderType;
  /** Algo allocated at spawn (C6); '' until allocated. Never changes once set. */
  readonly algoToUse: string;
  /** Reference and limit prices translated into this contract (C7). */
  readonly referencePrice: number | null;
  readonly limitPrice: number | null;
  readonly manualFill: boolean;
  /** Intra-market calendar spread: true iff more than one leg. */
  readonly calendarSpreadOrder: boolean;
  /** Inter-market spread flag (unused in the reference; kept for completeness). */
  readonly interSpreadOrder: boolean;
}

/** Broker order: what was sent to the broker. Digest §1.3. */
export interface BrokerOrderFields extends OrderBaseFields {
  readonly contractDates: readonly string[];
  readonly orderType: BrokerOrderType;
  readonly algoUsed: string;
  /** Initial limit price; the current working limit is kept in machine context. */
  readonly limitPrice: number | null;
  /** Price we would pay (offer for a buy, bid for a sell), mid, and the other side, at creation. */
  readonly sidePrice: number | null;
  readonly midPrice: number | null;
  readonly offsidePrice: number | null;
  readonly manualFill: boolean;
  readonly calendarSpreadOrder: boolean;
  readonly broker: string;
  readonly brokerAccount: string;
  readonly brokerClientId: number;
  /** Idempotency key sent as IB orderRef; the algo derives it deterministically. */
  readonly orderRef: string;
}

/** Broker-assigned ids, learned after submission. */
export interface BrokerIds {
  /** `account/clientid/ib_orderid` (digest §1.3). */
  readonly brokerTempId: string | null;
  /** IB permanent id. */
  readonly brokerPermId: string | null;
}

/** Key of a tradeable object: `strategy/instrument` or `strategy/instrument/date[_date2]` (§1.0). */
export function orderKey(strategyName: string, instrumentCode: string, contractDates?: readonly string[]) {
  const base = `${strategyName}/${instrumentCode}`;
  return contractDates && contractDates.length > 0 ? `${base}/${contractDates.join('_')}` : base;
}

/** The pseudo strategy that roll orders belong to (digest §1.1). */
export const ROLL_PSEUDO_STRATEGY = '_ROLL_PSEUDO_STRATEGY';
