/**
 * The menus of `systack interactive` (production doc "Interactive scripts"), as data: each entry a
 * submenu or the `systack` arguments its leaf runs (asked for with `ask`, chosen with `choose`).
 */
import {
  capitalMenu,
  diagnosticsMenu,
  manualCheckFxMenu,
  manualCheckMenu,
} from './interactive-diagnostics-menu.ts';

export type Ask = (label: string) => Promise<string>;
/** A menu entry: a submenu, or the CLI arguments it runs (asked for with `ask`). */
export interface Item {
  name: string;
  run?: (ask: Ask) => Promise<string[]>;
  menu?: Item[];
}

const PROCESS_STATUSES = ['GO', 'STOP', 'NO-RUN', 'PAUSE'];
const LEVELS = ['instrument', 'contract', 'broker'];
const leaf = (name: string, args: string[]): Item => ({ name, run: async () => args });
/** An optional answer: '-' (or blank where the prompt allows it) for none. */
const askOptional = async (ask: Ask, label: string) => {
  const a = await ask(`${label}; '-' for none`);
  return a === '-' ? '' : a;
};

function controlsMenu(choose: Choose): Item[] {
  const target = async (ask: Ask, withStrategy: boolean) => {
    const instrument = await ask('instrument code');
    const strategy = withStrategy ? await askOptional(ask, 'strategy name (instrument only)') : '';
    return ['--instrument', instrument, ...(strategy ? ['--strategy', strategy] : [])];
  };
  // An override's target: a strategy, an instrument, or both (at least one).
  const overrideTarget = async (ask: Ask) => {
    const strategy = await askOptional(ask, 'strategy name (blank: every strategy)');
    const instrument = await askOptional(ask, 'instrument code (blank: every instrument)');
    return [
      ...(strategy ? ['--strategy', strategy] : []),
      ...(instrument ? ['--instrument', instrument] : []),
    ];
  };
  return [
    {
      name: 'Trade limits',
      menu: [
        leaf('View limits', ['control', 'trade-limits', 'view']),
        {
          name: 'Change limit (instrument, instrument & strategy)',
          run: async (ask) => [
            'control',
            'trade-limits',
            'set',
            await ask('trade limit (contracts)'),
            ...(await target(ask, true)),
            '--days',
            await ask('period in days'),
          ],
        },
        {
          name: 'Reset limit (instrument, instrument & strategy)',
          run: async (ask) => ['control', 'trade-limits', 'reset', ...(await target(ask, true))],
        },
      ],
    },
    {
      name: 'Position limits',
      menu: [
        leaf('View limits', ['control', 'limits', 'list']),
        {
          name: 'Change limit (instrument, instrument & strategy)',
          run: async (ask) => [
            'control',
            'limits',
            'set',
            await ask('position limit (contracts)'),
            ...(await target(ask, true)),
          ],
        },
      ],
    },
    {
      name: 'Trade control / override',
      menu: [
        leaf('View overrides', ['control', 'overrides', 'list']),
        {
          name: 'Update / add override (strategy, instrument, or instrument & strategy)',
          run: async (ask) => [
            'control',
            'overrides',
            'set',
            await choose('override', ['0', '0.5', 'close', 'reduce', 'none']),
            ...(await overrideTarget(ask)),
          ],
        },
        {
          name: 'Remove override',
          run: async (ask) => ['control', 'overrides', 'delete', ...(await overrideTarget(ask))],
        },
      ],
    },
    {
      name: 'Broker client IDs',
      menu: [
        leaf('View client IDs', ['control', 'client-ids']),
        leaf('Clear unused client IDs', ['control', 'client-ids', 'clear-unused']),
        {
          name: 'Release one client ID',
          run: async (ask) => ['control', 'client-ids', 'release', await ask('client id')],
        },
      ],
    },
    {
      name: 'Process control & monitoring',
      menu: [
        leaf('View processes', ['control', 'processes']),
        {
          name: 'Change status of process',
          run: async (ask) => [
            'control',
            'status',
            await ask('process name'),
            await choose('new status', PROCESS_STATUSES),
          ],
        },
        {
          name: 'Global status change',
          run: async () => ['control', 'status', 'all', await choose('new status for all', PROCESS_STATUSES)],
        },
        { name: 'Mark as finished', run: async (ask) => ['control', 'finish', await ask('process name')] },
        leaf('Mark all dead processes as finished', ['control', 'finish-dead']),
        leaf('View process configuration', ['control', 'config']),
      ],
    },
  ];
}

function orderStackMenu(choose: Choose): Item[] {
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
      ],
    },
    {
      name: 'Create orders',
      menu: [
        leaf('Spawn contract orders from instrument orders', ['orders', 'spawn']),
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

export const MENUS = [
  'controls',
  'order_stack',
  'diagnostics',
  'update_capital_manual',
  'manual_check_historical_prices',
  'manual_check_fx_prices',
] as const;

export type Menu = (typeof MENUS)[number];
export type Choose = (label: string, choices: string[]) => Promise<string>;

export function menuTree(menu: Menu, choose: Choose): Item[] {
  switch (menu) {
    case 'controls':
      return controlsMenu(choose);
    case 'order_stack':
      return orderStackMenu(choose);
    case 'diagnostics':
      return diagnosticsMenu(choose);
    case 'update_capital_manual':
      return capitalMenu(choose);
    case 'manual_check_historical_prices':
      return manualCheckMenu();
    case 'manual_check_fx_prices':
      return manualCheckFxMenu();
  }
}
