import type {
  BarFrequency,
  BrokerPort,
  ContractDetails,
  ContractId,
  PriceBar,
} from '../../src/broker/port.ts';

/** A small in-test BrokerPort: only prices and contract details; the rest is not used by price updates. */
export class FakePriceBroker implements BrokerPort {
  readonly name = 'fake-prices';
  bars = new Map<string, PriceBar[]>();
  fx = new Map<string, Array<{ time: number; price: number }>>();
  expiries = new Map<string, string>();
  calls: string[] = [];

  setBars(instrumentCode: string, contractDate: string, frequency: BarFrequency, bars: PriceBar[]): void {
    this.bars.set(`${instrumentCode}/${contractDate}/${frequency}`, bars);
  }

  async historicalPrices(c: ContractId, frequency: BarFrequency, since?: number): Promise<PriceBar[]> {
    this.calls.push(`prices ${c.instrumentCode} ${c.contractDate} ${frequency}`);
    const all = this.bars.get(`${c.instrumentCode}/${c.contractDate}/${frequency}`) ?? [];
    return since === undefined ? all : all.filter((b) => b.time >= since);
  }
  async fxHistoricalPrices(pair: string, since?: number): Promise<Array<{ time: number; price: number }>> {
    const all = this.fx.get(pair) ?? [];
    return since === undefined ? all : all.filter((p) => p.time >= since);
  }
  async contractDetails(c: ContractId): Promise<ContractDetails> {
    const expiryDate = this.expiries.get(`${c.instrumentCode}/${c.contractDate}`);
    if (!expiryDate) throw new Error(`no such contract ${c.instrumentCode} ${c.contractDate}`);
    return { ...c, expiryDate, multiplier: 100, currency: 'USD', exchange: 'X', tickSize: 0.1 };
  }

  private no(): never {
    throw new Error('not used by price updates');
  }
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  isConnected(): boolean {
    return true;
  }
  onEvent(): () => void {
    return () => undefined;
  }
  placeOrder = async (): Promise<never> => this.no();
  modifyOrder = async (): Promise<never> => this.no();
  cancelOrder = async (): Promise<never> => this.no();
  orders = async (): Promise<never> => this.no();
  fills = async (): Promise<never> => this.no();
  positions = async (): Promise<never> => this.no();
  accountValue = async (): Promise<never> => this.no();
  marketSnapshot = async (): Promise<never> => this.no();
  spreadSnapshot = async (): Promise<never> => this.no();
  tradingHours = async (): Promise<never> => this.no();
  cashBalances = async (): Promise<never> => this.no();
  placeFxOrder = async (): Promise<never> => this.no();
}

export interface LogLine {
  level: 'info' | 'warn' | 'critical';
  msg: string;
  fields: Record<string, unknown>;
}

export function memoryLog(): {
  lines: LogLine[];
  info: (f: Record<string, unknown>, m: string) => void;
  warn: (f: Record<string, unknown>, m: string) => void;
  critical: (m: string, f: Record<string, unknown>) => void;
} {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (fields, msg) => lines.push({ level: 'info', msg, fields }),
    warn: (fields, msg) => lines.push({ level: 'warn', msg, fields }),
    critical: (msg, fields) => lines.push({ level: 'critical', msg, fields }),
  };
}
