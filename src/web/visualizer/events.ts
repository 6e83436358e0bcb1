/**
 * The visualizer's one event shape, read from what the stack and the roll-status actors publish
 * (docs/visualizer.md):
 * - `<prefix>.inspect.order.<kind>.<id>`: `{ kind, id, root, event, version, state, context, at }`;
 *   the older shape `{ event, version, state: <order record> }` is read too (kind, id, state and
 *   parent taken from the record; the family root from the parents seen so far).
 * - `<prefix>.rolls.event.<instrument>`: a roll-status machine's emitted event (`changed` carries
 *   `from` and `to`).
 * - journal records `{ events, record }` of `<PREFIX>_STACK` (one per write of an order actor).
 */

export interface ActorEvent {
  kind: string;
  id: string;
  /** Family root (instrument order id); null when not an order or not known. */
  root: string | null;
  event: string;
  version: number | null;
  state: string;
  context: Record<string, unknown>;
  at: number | null;
  /** The registry name of the machine the actor runs, when known. */
  machine: string | null;
}

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

const BY_KIND: Record<string, string> = {
  instrument: 'instrument-order',
  contract: 'contract-order',
  broker: 'broker-order',
  lock: 'instrument-lock',
  roll: 'roll-status',
  strategy: 'strategy',
};

/** The registry machine an actor of this kind runs (algos by their name in the context). */
export function machineOfKind(kind: string, context: Json, known: readonly string[]): string | null {
  if (known.includes(kind)) return kind;
  if (kind === 'algo') {
    const name = str(context.algo) ?? str(context.algoName) ?? '';
    return name.includes('best') ? 'algo-best-execution' : 'algo-market';
  }
  return BY_KIND[kind] ?? null;
}

/** Order parents seen so far (contract → instrument, broker → contract), to find a family root. */
export class FamilyIndex {
  private readonly parents = new Map<string, string>();

  note(kind: string, id: string, parent: string | null): void {
    if (parent !== null) this.parents.set(`${kind}:${id}`, parent);
  }

  rootOf(kind: string, id: string): string | null {
    if (kind === 'instrument') return id;
    if (kind === 'contract') return this.parents.get(`contract:${id}`) ?? null;
    if (kind === 'broker') {
      const contract = this.parents.get(`broker:${id}`);
      return contract === undefined ? null : this.rootOf('contract', contract);
    }
    return null;
  }
}

/** Order states of the older hand-written records that have another name in the machine. */
const LEGACY_STATES: Record<string, string> = {
  'instrument:spawned': 'childrenWorking',
  'contract:working': 'released',
};

/**
 * The machine state of an order record: its `machineState` when it carries one (older broker
 * records), else its `state`, older kebab-case names read as the machine's camelCase ones.
 */
export function machineStateOf(kind: string, record: Json): string | null {
  const explicit = str(record.machineState);
  if (explicit !== null) return explicit;
  const state = str(record.state);
  if (state === null) return null;
  return LEGACY_STATES[`${kind}:${state}`] ?? state.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** An order record (old inspect body or journal record) to an event; null if it is not one. */
export function fromRecord(
  record: unknown,
  event: string,
  index: FamilyIndex,
  known: readonly string[],
): ActorEvent | null {
  if (!isObj(record)) return null;
  const kind = str(record.level);
  const id = str(record.id);
  const state = kind === null ? null : machineStateOf(kind, record);
  if (kind === null || id === null || state === null) return null;
  index.note(kind, id, str(record.parent));
  const { state: _s, ...context } = record;
  return {
    kind,
    id,
    root: index.rootOf(kind, id),
    event,
    version: num(record.version),
    state,
    context,
    at: num(record.updatedAt) ?? num(record.fillDatetime) ?? num(record.createdAt),
    machine: machineOfKind(kind, context, known),
  };
}

/** A message of `<prefix>.inspect.order.<kind>.<id>` (either shape). */
export function fromInspect(body: unknown, index: FamilyIndex, known: readonly string[]): ActorEvent | null {
  if (!isObj(body)) return null;
  const event = str(body.event) ?? '?';
  if (isObj(body.state)) {
    const e = fromRecord(body.state, event, index, known);
    if (e && num(body.version) !== null) e.version = num(body.version);
    return e;
  }
  const kind = str(body.kind);
  const id = str(body.id);
  const state = str(body.state);
  if (kind === null || id === null || state === null) return null;
  const context = isObj(body.context) ? body.context : {};
  index.note(kind, id, str(context.parent));
  return {
    kind,
    id,
    root: str(body.root) ?? index.rootOf(kind, id),
    event,
    version: num(body.version),
    state,
    context,
    at: num(body.at),
    machine: machineOfKind(kind, context, known),
  };
}

/** A message of `<prefix>.rolls.event.<instrument>`; `previous` is the last state known. */
export function fromRollEvent(instrument: string, body: unknown, previous: string | null): ActorEvent | null {
  if (!isObj(body)) return null;
  const type = str(body.type);
  if (type === null) return null;
  const state = type === 'changed' ? (str(body.to) ?? previous) : (previous ?? str(body.from));
  if (state === null) return null;
  const { type: _t, ...context } = body;
  return {
    kind: 'roll',
    id: str(body.instrumentCode) ?? instrument,
    root: null,
    event: type,
    version: null,
    state,
    context,
    at: num(body.at),
    machine: 'roll-status',
  };
}
