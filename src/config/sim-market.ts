/**
 * config/sim_market.yaml: the simulated market's trading hours, holidays and tick sizes
 * (docs/simulated-broker.md). Bundled with the repo, so `systack start` needs nothing outside it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  type SessionMinutes,
  TradingCalendar,
  WEEKDAYS,
  type Weekday,
  type WeeklyHours,
} from '../broker/sim/sessions.ts';
import { ConfigError, defaultConfigDir } from './load.ts';

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM (00:00 to 24:00)')
  .transform((s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5)));

const session = z
  .tuple([hhmm, hhmm])
  .refine(([o, c]) => o < c, 'a session opens before it closes')
  .transform((s): SessionMinutes => s);

const hoursSchema = z
  .object({
    daily_close: hhmm,
    ...Object.fromEntries(WEEKDAYS.map((d) => [d, z.array(session).optional()])),
  })
  .strict();

const termsSchema = z
  .object({ hours: z.string(), calendar: z.string(), tick_size: z.number().positive() })
  .strict();

const fileSchema = z
  .object({
    hours: z.record(z.string(), hoursSchema),
    calendars: z.record(z.string(), z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD'))),
    default: termsSchema,
    instruments: z.record(z.string(), termsSchema),
    fx: z.object({ hours: z.string(), calendar: z.string() }).strict(),
  })
  .strict();

/** What the simulated market knows about one instrument beyond the instrument config. */
export interface SimInstrumentTerms {
  calendar: TradingCalendar;
  tickSize: number;
}

export interface SimMarketConfig {
  /** Terms of an instrument (the default terms when it is not listed). */
  terms(instrumentCode: string): SimInstrumentTerms;
  fxCalendar: TradingCalendar;
  /** Every listed instrument's tick size, and the default's (plain data, for caching). */
  tickTable: TickTable;
}

export interface TickTable {
  default: number;
  instruments: Record<string, number>;
}

export function simMarketConfigFile(configDir = defaultConfigDir()): string {
  return join(configDir, 'sim_market.yaml');
}

/** Read and validate the file; a bad file is a ConfigError naming the key. */
export function loadSimMarketConfig(file = simMarketConfigFile()): SimMarketConfig {
  const parsed = fileSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(file, issue?.path.join('.') ?? '', issue?.message ?? 'invalid');
  }
  const cfg = parsed.data;
  const calendars = new Map<string, TradingCalendar>();
  const calendar = (hours: string, holidays: string, where: string): TradingCalendar => {
    const key = `${hours}/${holidays}`;
    const known = calendars.get(key);
    if (known) return known;
    const h = cfg.hours[hours];
    if (!h) throw new ConfigError(file, `${where}.hours`, `no hours named '${hours}'`);
    const dates = cfg.calendars[holidays];
    if (!dates) throw new ConfigError(file, `${where}.calendar`, `no calendar named '${holidays}'`);
    const days: WeeklyHours['days'] = {};
    for (const d of WEEKDAYS) {
      const s = (h as Partial<Record<Weekday, SessionMinutes[]>>)[d];
      if (s) days[d] = s;
    }
    const made = new TradingCalendar({ days, dailyClose: h.daily_close }, new Set(dates));
    calendars.set(key, made);
    return made;
  };
  const terms = new Map<string, SimInstrumentTerms>();
  for (const [code, t] of Object.entries(cfg.instruments))
    terms.set(code, {
      calendar: calendar(t.hours, t.calendar, `instruments.${code}`),
      tickSize: t.tick_size,
    });
  const fallback: SimInstrumentTerms = {
    calendar: calendar(cfg.default.hours, cfg.default.calendar, 'default'),
    tickSize: cfg.default.tick_size,
  };
  const fxCalendar = calendar(cfg.fx.hours, cfg.fx.calendar, 'fx');
  const tickTable: TickTable = {
    default: cfg.default.tick_size,
    instruments: Object.fromEntries(Object.entries(cfg.instruments).map(([c, t]) => [c, t.tick_size])),
  };
  return { terms: (code) => terms.get(code) ?? fallback, fxCalendar, tickTable };
}
