/**
 * What the algos quote a broker order against (E2.3), in the stack's price terms: an outright's
 * market snapshot, or a spread's own quote (`spreadSnapshot`, IB: the BAG's market data) turned
 * into the spread's price as the stack states it (digest §1.0: Σ ratioᵢ · priceᵢ with the first
 * leg's ratio positive, so a roll's spread is priced − forward, as its filled price). The broker
 * port prices a combo as bought, legs as given (src/broker/port.ts SpreadSnapshot); for a spread
 * whose first leg sells, that is the negative: `toBrokerPrice` converts a limit back.
 */
import type { BrokerLeg } from '../../src/broker/port.ts';
import { comboSize } from '../../src/broker/spread.ts';
import type { StackCore } from './core.ts';

export interface AlgoQuote {
  bid: number;
  ask: number;
  /** Sizes in the order's units (a spread: spreads of its first leg's size). */
  bidSize: number;
  askSize: number;
}

export type AlgoQuoteResult = { quote: AlgoQuote } | { reason: string };

interface Quoted {
  instrumentCode: string;
  contractDate: string;
  legs?: BrokerLeg[];
}

const isSpread = (o: Quoted): o is Quoted & { legs: BrokerLeg[] } => (o.legs?.length ?? 0) > 1;

/** +1 when the spread's first leg buys (the broker's combo price is the stack's), −1 otherwise. */
const comboSign = (o: Quoted): number => (isSpread(o) && (o.legs[0]?.qty ?? 0) < 0 ? -1 : 1);

/** A limit in the stack's terms as the broker takes it (a spread's combo is bought, legs as given). */
export function toBrokerPrice(o: Quoted, price: number | undefined): number | undefined {
  return price === undefined ? undefined : comboSign(o) * price + 0; // + 0: no −0
}

/**
 * The quote, or why there is none. An outright's quote is valid with finite positive bid and ask;
 * a spread's prices may be zero or negative, so it is valid with finite bid ≤ ask.
 */
export async function algoQuote(core: StackCore, o: Quoted): Promise<AlgoQuoteResult> {
  if (!isSpread(o)) {
    const snap = await core.deps.broker.marketSnapshot(o).catch((e: unknown) => String(e));
    if (typeof snap === 'string') return { reason: `no market data: ${snap}` };
    const ok = Number.isFinite(snap.bid) && Number.isFinite(snap.ask) && snap.bid > 0 && snap.ask > 0;
    // Only the four figures: a broker's snapshot may carry more (IB's echoes the request, which can
    // be the broker order itself), and the quote goes into the algo machine's context as plain data.
    const quote = { bid: snap.bid, ask: snap.ask, bidSize: snap.bidSize, askSize: snap.askSize };
    return ok ? { quote } : { reason: `no valid quote (bid ${snap.bid}, ask ${snap.ask})` };
  }
  const snap = await core.deps.broker.spreadSnapshot(o.legs).catch((e: unknown) => String(e));
  if (typeof snap === 'string') return { reason: `no spread quote: ${snap}` };
  if (!(Number.isFinite(snap.bid) && Number.isFinite(snap.ask) && snap.bid <= snap.ask))
    return { reason: `no valid spread quote (bid ${snap.bid}, ask ${snap.ask})` };
  // combos → spreads of the first leg's size
  const perCombo = Math.abs(o.legs[0]!.qty) / comboSize(o.legs);
  const bidSize = snap.bidSize * perCombo;
  const askSize = snap.askSize * perCombo;
  if (comboSign(o) > 0) return { quote: { bid: snap.bid, ask: snap.ask, bidSize, askSize } };
  return { quote: { bid: -snap.ask + 0, ask: -snap.bid + 0, bidSize: askSize, askSize: bidSize } };
}
