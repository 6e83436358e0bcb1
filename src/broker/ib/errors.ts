/**
 * Named errors of the IB adapter. A failed broker query means "unknown": callers get one of these,
 * never an empty list or a zero that could be read as "flat".
 */

/** No usable connection to TWS / IB Gateway (socket down, or TWS lost IB: 1100). */
import { BrokerRequestInvalid, BrokerUnknownOrder } from '../orders.ts';

export class IbNotConnected extends Error {
  override readonly name = 'IbNotConnected';
}

/** Connected, but not yet synchronised (open orders, executions, positions): no new orders. */
export class IbNotReady extends Error {
  override readonly name = 'IbNotReady';
}

/** A request TWS answered with an error code (routed by reqId / orderId). */
export class IbRequestFailed extends Error {
  override readonly name: string = 'IbRequestFailed';
  constructor(
    message: string,
    readonly code: number,
    readonly reqId: number,
  ) {
    super(message);
  }
}

/** A request TWS did not answer in time. */
export class IbRequestTimeout extends Error {
  override readonly name = 'IbRequestTimeout';
}

/** Historical-data pacing violation (162) still failing after the retries. */
export class IbPacingViolation extends IbRequestFailed {
  override readonly name = 'IbPacingViolation';
}

/** The instrument is not in the IB instrument config, or IB resolves it to no / several contracts. */
export class IbContractUnresolved extends BrokerRequestInvalid {
  override readonly name = 'IbContractUnresolved';
}

/** An order the adapter cannot send as asked (for example a spread with two legs). */
export class IbOrderUnsupported extends BrokerRequestInvalid {
  override readonly name = 'IbOrderUnsupported';
}

/** An orderRef the broker does not know. */
export class IbUnknownOrder extends BrokerUnknownOrder {
  override readonly name = 'IbUnknownOrder';
}
