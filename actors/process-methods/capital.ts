/**
 * run_capital_update's methods (production doc "Capital"; digest §5):
 * `update_total_capital` polls the broker's account value and applies the capital method
 * (a change above `capital_max_change` is held with a critical log until accepted, §5.1);
 * `strategy_allocation` splits the total among the strategies (§5.2).
 */
import { logCritical } from '../../src/log/logger.ts';
import { openStrategyRuntime } from '../strategy-runtime.ts';
import { withBroker } from './broker-session.ts';
import type { MethodContext, ProcessMethod, ProcessMethodDeps } from './types.ts';

export function capitalMethods(deps: ProcessMethodDeps = {}): Record<string, ProcessMethod> {
  const fields = (ctx: MethodContext) => ({ component: 'capital', process: ctx.process, method: ctx.method });
  return {
    update_total_capital: (ctx) =>
      withBroker(ctx, deps, async (broker) => {
        const rt = await openStrategyRuntime(ctx.nc, ctx.prefix, ctx.system, ctx.clock, {
          log: ctx.log,
          accountValue: async () => {
            const a = await broker.accountValue();
            if (a.currency !== ctx.system.base_currency) {
              const msg = `broker account value is in ${a.currency}, the base currency is ${ctx.system.base_currency}`;
              logCritical(ctx.log, msg, fields(ctx));
              throw new Error(msg);
            }
            return { value: a.value, margin: a.margin };
          },
        });
        const r = await rt.capital.update();
        if (r.outcome === 'written')
          ctx.log.info({ ...fields(ctx), total_capital: r.row.total_capital }, 'total capital updated');
        else
          ctx.log.warn({ ...fields(ctx), pending: r.pending }, 'large capital change held for confirmation');
      }),
    strategy_allocation: async (ctx) => {
      const rt = await openStrategyRuntime(ctx.nc, ctx.prefix, ctx.system, ctx.clock, { log: ctx.log });
      const allocated = await rt.capital.allocate();
      ctx.log.info({ ...fields(ctx), allocated }, 'strategy capital allocated');
    },
  };
}
