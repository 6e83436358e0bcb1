/**
 * What a hosted record stores of its machine (actors/host/machine-actors.ts): the state value and
 * the context, with each fact once. A machine's context may hold part of its input as it was given
 * (the order machines: `context.order === input.order`, the order's fields) and that input is built
 * from the record (`inputOf`): the record's journal then stores that part only when the record no
 * longer rebuilds it exactly (compared when written), and a restore takes it from the record again.
 * A broker order's stored record is about a quarter smaller so (its `order` repeated nearly every
 * record field), which is that much less to serialise, encode and send on every append.
 */

/** A machine's state as a record keeps it in memory: its snapshot's own value and context. */
export interface MachineState {
  value: unknown;
  context: Record<string, unknown>;
  /** The context key left out of the stored context because the record rebuilds it (`order`). */
  fromRecord?: string;
}

/**
 * The live form of a record's machine state (`record.machine`): the snapshot's value and context
 * as they are, serialised (`toJSON`, what the journal writes) without the context's input part
 * when `inputPart(record)` gives it again.
 */
export class KeptMachine<R> implements MachineState {
  readonly #key: string;
  readonly #inputPart: (r: R) => unknown;
  readonly #record: R;

  constructor(
    readonly value: unknown,
    readonly context: Record<string, unknown>,
    key: string,
    inputPart: (r: R) => unknown,
    record: R,
  ) {
    this.#key = key;
    this.#inputPart = inputPart;
    this.#record = record;
  }

  toJSON(): MachineState {
    const key = this.#key;
    const part = this.context[key];
    if (part === undefined || !sameData(part, this.#inputPart(this.#record)))
      return { value: this.value, context: this.context };
    const context: Record<string, unknown> = {};
    for (const k in this.context) if (k !== key) context[k] = this.context[k];
    return { value: this.value, context, fromRecord: key };
  }
}

/**
 * A stored machine state as the machine resolves it: the input part put back from the record
 * where the stored form says it left it out (`fromRecord`); any other stored state is used as is.
 */
export function withInputPart(stored: MachineState, key: string, inputPart: () => unknown): MachineState {
  if (stored.fromRecord !== key) return stored;
  return { value: stored.value, context: { ...stored.context, [key]: inputPart() } };
}

/** Whether two values of plain data (JSON: primitives, arrays, objects) are the same data. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (!Object.hasOwn(y, k) || !sameData(x[k], y[k])) return false;
    n++;
  }
  for (const k in y) if (Object.hasOwn(y, k)) n--;
  return n === 0;
}
