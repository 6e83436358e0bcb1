/** interactive_order_stack as menu data (the reference's menu structure; each leaf the `systack` arguments it runs). */
import { type Choose, type Item, leaf } from './interactive-items.ts';

const LEVELS = ['instrument', 'contract', 'broker'];

export function orderStackMenu(choose: Choose): Item[] {
  const level = () => choose('stack', LEVELS);
  return [
    {
      name: 'View',
      menu: [
        ...['instrument', 'contract', 'broker', 'broker-live'].map((s) =>
          leaf(`View ${s} stack`, ['orders', 'view', s]),
        ),
        {
          name: 'View one order',
          run: async (ask) => ['orders', 'order', await level(), await ask('order id')],
        },
        {
          name: 'View the history of one order',
          run: async (ask) => ['orders', 'history', await level(), await ask('order id')],
        },
        leaf('View positions', ['orders', 'positions']),
        leaf('View cash balances (per currency, at the broker)', ['orders', 'fx-balances']),
      ],
    },
    {
      name: 'Create orders',
      menu: [
        leaf('Spawn contract orders from instrument orders', ['orders', 'spawn']),
        {
          name: 'Create force roll contract orders',
          run: async (ask) => ['orders', 'force-roll', await ask('instrument code')],
        },
        leaf('Create broker orders from contract orders', ['orders', 'create-broker']),
        {
          name: 'Balance trade',
          run: async (ask) => [
            'orders',
            'balance',
            await ask('strategy name'),
            await ask('instrument code'),
            await ask('contract (YYYYMM)'),
            await ask('quantity'),
            '--price',
            await ask('price'),
          ],
        },
        {
          name: 'Balance instrument trade (strategy level only, not executed)',
          run: async (ask) => [
            'orders',
            'balance-instrument',
            await ask('strategy name'),
            await ask('instrument code'),
            await ask('quantity'),
            '--price',
            await ask('price'),
          ],
        },
        {
          name: 'Manual trade',
          run: async (ask) => [
            'orders',
            'manual-trade',
            await ask('strategy name'),
            await ask('instrument code'),
            await ask('trade (signed)'),
          ],
        },
        {
          // The reference shows the balances first: they are printed again after the trade.
          name: 'Cash FX trade',
          run: async (ask) => [
            'orders',
            'fx-trade',
            await ask('currency pair in market convention (e.g. GBPUSD)'),
            await choose('buy or sell the first currency', ['buy', 'sell']),
            await ask('amount of the first currency (units)'),
          ],
        },
      ],
    },
    {
      name: 'Fills',
      menu: [
        {
          name: 'Manually fill broker order',
          run: async (ask) => [
            'orders',
            'fill-broker',
            await ask('broker order id'),
            '--price',
            await ask('fill price'),
          ],
        },
        {
          name: 'Manually fill contract order',
          run: async (ask) => [
            'orders',
            'fill-contract',
            await ask('contract order id'),
            '--price',
            await ask('fill price'),
          ],
        },
      ],
    },
    {
      name: 'Netting, cancellation and locks',
      menu: [
        leaf('Net instrument orders', ['orders', 'net']),
        {
          name: 'Cancel broker order',
          run: async (ask) => ['orders', 'cancel', await ask('broker order id')],
        },
        {
          name: 'Lock instrument',
          run: async (ask) => ['orders', 'lock-instrument', await ask('instrument code')],
        },
        {
          name: 'Unlock instrument',
          run: async (ask) => ['orders', 'unlock-instrument', await ask('instrument code')],
        },
        {
          name: 'Lock order',
          run: async (ask) => ['orders', 'lock-order', await level(), await ask('order id')],
        },
        {
          name: 'Unlock order',
          run: async (ask) => ['orders', 'unlock-order', await level(), await ask('order id')],
        },
        {
          name: 'Remove algo lock on contract order',
          run: async (ask) => ['orders', 'remove-algo-lock', await ask('contract order id')],
        },
      ],
    },
    {
      name: 'Delete and clean',
      menu: [
        {
          name: 'Delete one order',
          run: async (ask) => ['orders', 'delete', await level(), await ask('order id')],
        },
        {
          name: 'Delete entire stack (CAREFUL!)',
          run: async (ask) => ['orders', 'delete-all', '--confirm', await ask("type 'DELETE ALL ORDERS'")],
        },
        leaf('End of day process', ['orders', 'eod']),
      ],
    },
  ];
}
