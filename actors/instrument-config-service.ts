/**
 * interactive_diagnostics "Instrument configuration" (production doc "View instrument
 * configuration data" / "View contract configuration data"): what systack holds about an
 * instrument — its csvconfig record in the price store (instrumentconfig, spreadcosts,
 * moreinstrumentinfo, rollconfig) and its IB config (`ib_config_futures.csv` in ib_config_dir)
 * — and about one of its contracts: its place in the roll cycles, its expiry (as stored by
 * update_sampled_contracts from the broker, else approximated from the roll config), the roll
 * date that follows, its carry and next held contract, and how IB names it. Read only.
 */
import type { IbFuturesConfig, IbInstrumentConfig } from '../src/broker/ib/ib-config.ts';
import {
  approximateExpiry,
  carryContractFor,
  MONTH_LETTERS,
  nextHeldContract,
  parseContractDate,
} from '../src/domain/prices/contract-dates.ts';
import type { InstrumentConfig, RollParameters } from '../src/domain/prices/types.ts';
import type { PriceStore } from '../src/store/price-store.ts';

export class UnknownInstrument extends Error {
  override readonly name = 'UnknownInstrument';
}

export class UnknownContract extends Error {
  override readonly name = 'UnknownContract';
}

export type ConfigView = Record<string, string | number | boolean>;

async function configOf(store: PriceStore, code: string): Promise<InstrumentConfig> {
  const cfg = await store.getInstrumentConfig(code);
  if (cfg) return cfg;
  const known = (await store.listInstrumentConfigs()).sort();
  throw new UnknownInstrument(
    `unknown instrument '${code}': no instrument config stored (configured: ${known.join(', ') || 'none; import prices first'})`,
  );
}

const rollView = (r: RollParameters): ConfigView => ({
  hold_rollcycle: r.holdRollCycle,
  priced_rollcycle: r.pricedRollCycle,
  roll_offset_day: r.rollOffsetDays,
  carry_offset: r.carryOffset,
  approx_expiry_offset: r.expiryOffset,
});

const ibView = (ib: IbFuturesConfig): ConfigView => ({
  ib_symbol: ib.symbol,
  ib_exchange: ib.exchange,
  ib_currency: ib.currency || 'NA (IB infers it)',
  ib_multiplier: ib.multiplier,
  ib_price_magnifier: ib.priceMagnifier,
  ib_ignore_weekly: ib.ignoreWeekly,
});

/** Which parts of the configuration an instrument lacks, named by their files. */
function missingParts(cfg: InstrumentConfig, ib: IbFuturesConfig | undefined): string[] {
  return [
    ...(cfg.meta ? [] : ['instrumentconfig.csv']),
    ...(cfg.spreadCost === undefined ? ['spreadcosts.csv'] : []),
    ...(cfg.roll ? [] : ['rollconfig.csv']),
    ...(ib ? [] : ['ib_config_futures.csv']),
  ];
}

/** "View instrument configuration data": everything configured about one instrument. */
export async function instrumentConfigView(
  store: PriceStore,
  ib: IbInstrumentConfig,
  code: string,
): Promise<ConfigView> {
  const cfg = await configOf(store, code);
  const m = cfg.meta;
  const more = cfg.moreInfo;
  const ibc = ib.futures.get(code);
  const missing = missingParts(cfg, ibc);
  return {
    instrument_code: code,
    ...(m
      ? {
          description: m.description,
          pointsize: m.pointsize,
          currency: m.currency,
          asset_class: m.assetClass,
          region: m.region,
        }
      : {}),
    ...(cfg.spreadCost === undefined ? {} : { slippage: cfg.spreadCost }),
    ...(m ? { per_block: m.perBlock, percentage: m.percentage, per_trade: m.perTrade } : {}),
    ...(more
      ? {
          sub_class: more.subClass,
          sub_sub_class: more.subSubClass,
          style: more.style,
          country: more.country,
          duration: more.duration,
        }
      : {}),
    ...(cfg.roll ? rollView(cfg.roll) : {}),
    ...(ibc ? ibView(ibc) : {}),
    ...(missing.length > 0 ? { not_configured: missing.join(', ') } : {}),
  };
}

/** `YYYYMMDD` as `YYYY-MM-DD`. */
const isoDay = (d: string): string => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;

/** The day `days` after `YYYYMMDD` (negative: before), as `YYYY-MM-DD`. */
function shiftDay(yyyymmdd: string, days: number): string {
  const t = Date.UTC(
    Number(yyyymmdd.slice(0, 4)),
    Number(yyyymmdd.slice(4, 6)) - 1,
    Number(yyyymmdd.slice(6, 8)),
  );
  return new Date(t + days * 86_400_000).toISOString().slice(0, 10);
}

/** A contract id as stored (`YYYYMM00` for a month, `YYYYMMDD` kept); throws on a malformed one. */
export function contractId(contract: string): string {
  const { year, month } = parseContractDate(contract); // throws on a malformed date
  return contract.length === 6 ? `${year}${String(month).padStart(2, '0')}00` : contract;
}

/** "View contract configuration data": one contract of an instrument. */
export async function contractConfigView(
  store: PriceStore,
  ib: IbInstrumentConfig,
  code: string,
  contract: string,
): Promise<ConfigView> {
  const cfg = await configOf(store, code);
  const id = contractId(contract);
  const roll = cfg.roll;
  if (!roll)
    throw new UnknownContract(`${code} has no roll config (rollconfig.csv): its contracts are not known`);
  const letter = MONTH_LETTERS[parseContractDate(id).month - 1]!;
  const priced = roll.pricedRollCycle.includes(letter);
  const held = roll.holdRollCycle.includes(letter);
  if (!priced && !held)
    throw new UnknownContract(
      `${code} has no contract ${id}: month ${letter} is in neither its priced roll cycle ${roll.pricedRollCycle} nor its hold roll cycle ${roll.holdRollCycle}`,
    );
  const sampled = (await store.getSampledContracts(code)).find(
    (s) => s.contractDate === id || s.contractDate.slice(0, 6) === id.slice(0, 6),
  );
  const fromBroker = sampled !== undefined && !sampled.expiryApproximate;
  const expiry = fromBroker ? sampled.expiryDate : approximateExpiry(id, roll);
  const multiple = await store.getMultiplePrices(code);
  const last = (multiple?.times.length ?? 0) - 1;
  const roles =
    multiple && last >= 0
      ? [
          ...(multiple.priceContract[last] === id ? ['price'] : []),
          ...(multiple.forwardContract[last] === id ? ['forward'] : []),
          ...(multiple.carryContract[last] === id ? ['carry'] : []),
        ]
      : [];
  const ibc = ib.futures.get(code);
  return {
    instrument_code: code,
    contract_date: id,
    month: letter,
    in_priced_rollcycle: priced,
    in_hold_rollcycle: held,
    expiry_date: isoDay(expiry),
    expiry_source: fromBroker
      ? 'broker (stored by update_sampled_contracts)'
      : 'approximate: 1st of the month + approx_expiry_offset',
    currently_sampling: sampled?.sampling ?? false,
    approx_roll_date: shiftDay(expiry, roll.rollOffsetDays),
    ...rollView(roll),
    ...(priced ? { carry_contract: carryContractFor(id, roll) } : {}),
    ...(held ? { next_held_contract: nextHeldContract(id, roll) } : {}),
    current_role:
      roles.length > 0 ? roles.join(', ') : 'none (not a current price, forward or carry contract)',
    prices_stored: (await store.listContractsWithPrices(code)).includes(id),
    ...(ibc ? { ...ibView(ibc), ib_contract_month: id.endsWith('00') ? id.slice(0, 6) : id } : {}),
    ...(ibc ? {} : { not_configured: 'ib_config_futures.csv' }),
  };
}
