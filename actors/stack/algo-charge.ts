/**
 * D4a on the fill-correction path (digest D4: when a blocking algo finishes, its broker order's
 * submitted quantity is charged to every matching trade limit, then the algo lock is released).
 * On the fill path the charge is made where the algo's end shows: the contract order's completion
 * while the algo holds it (`sendContract`), or else the algo's own end (`algoFinished`, which then
 * releases the lock). Each charge is named by its broker order (trade-limit-charges.ts), so a
 * broker order counts once however often it is charged.
 *
 * A broker's correction (late-corrections.ts) steps the orders' machines directly, so the same two
 * places are kept here: a live broker order a correction filled to its trade is reported to its
 * algo (`algoHearsCorrection`), which ends, charges and releases, so the contract order completes
 * (an algo never told worked a filled order for ever: no charge, the family never done); and a
 * contract order a correction completes while an algo holds it is charged by `correctFamily`
 * with `chargeHeldCompletion` (trade-limit-charges.ts), the same call `sendContract` makes.
 * Today's contract machine never completes on a correction while held (`algoControlled` keeps the
 * order until its algo lets go), so the charge is the algo's end's; the second place keeps D4a
 * should the machine ever complete there.
 */
import { afterBrokerFill } from './algo-events.ts';
import type { StackCore } from './core.ts';

/** After a correction: a live broker order now filled to its trade is reported to its algo. */
export function algoHearsCorrection(core: StackCore, brokerOrderId: number): void {
  const bo = core.brokerOrder(brokerOrderId);
  if (bo?.active && bo.fill === bo.trade) afterBrokerFill(core, bo.id);
}
