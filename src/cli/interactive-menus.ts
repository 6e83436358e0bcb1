/**
 * The menus of `systack interactive` (production doc "Interactive scripts"), as data: each entry a
 * submenu or the `systack` arguments its leaf runs (asked for with `ask`, chosen with `choose`).
 */
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

function controlsMenu(choose: Choose): Item[] {
  const target = async (ask: Ask, withStrategy: boolean) => {
    const instrument = await ask('instrument code');
    const strategy = withStrategy ? await ask('strategy name (blank: instrument only)') : '';
    return ['--instrument', instrument, ...(strategy ? ['--strategy', strategy] : [])];
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
      menu: [leaf('View overrides', ['control', 'overrides', 'list'])],
    },
    leaf('Broker client IDs', ['control', 'client-ids']),
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
          run: async (ask) => ['orders', 'fill-broker', await ask('broker order id')],
        },
        {
          name: 'Manually fill contract order',
          run: async (ask) => ['orders', 'fill-contract', await ask('contract order id')],
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
        leaf('End of day process', ['orders', 'eod']),
      ],
    },
  ];
}

function diagnosticsMenu(): Item[] {
  return [
    {
      name: 'Backtest objects',
      menu: [
        { name: 'Optimal positions', run: async () => ['strategy', 'positions'] },
        {
          name: 'System diagnostics of an instrument',
          run: async (ask) => [
            'strategy',
            'diagnostics',
            '--strategy',
            await ask('strategy name'),
            '--instrument',
            await ask('instrument code'),
          ],
        },
      ],
    },
    { name: 'Reports', menu: [leaf('List the latest reports', ['report', 'list'])] },
    {
      name: 'Logs, errors, emails',
      menu: [
        leaf('View errors (error and above, 1 day)', ['logs', '--level', 'error']),
        leaf('View logs (1 day)', ['logs']),
        leaf('View stored emails', ['email', 'list']),
      ],
    },
    {
      name: 'View prices',
      menu: [
        leaf('Instruments with prices', ['prices', 'list']),
        { name: 'Adjusted prices', run: async (ask) => ['prices', 'show', await ask('instrument code')] },
      ],
    },
    {
      name: 'View capital',
      menu: [leaf('Total capital', ['capital', 'show']), leaf('Capital history', ['capital', 'history'])],
    },
    {
      name: 'Positions and orders',
      menu: [
        leaf('Positions', ['orders', 'positions']),
        leaf('Instrument stack', ['orders', 'view', 'instrument']),
      ],
    },
    { name: 'Configuration', menu: [leaf('View configuration', ['config', 'show'])] },
  ];
}

const capitalMenu = (): Item[] => [
  leaf('View total capital', ['capital', 'show']),
  leaf('View capital history', ['capital', 'history']),
  { name: 'Deposit', run: async (ask) => ['capital', 'deposit', await ask('amount')] },
  { name: 'Withdrawal', run: async (ask) => ['capital', 'withdraw', await ask('amount')] },
  leaf('Accept a held large change', ['capital', 'accept']),
];

const manualCheckMenu = (): Item[] => [
  leaf('Instruments with prices', ['prices', 'list']),
  {
    name: 'Check an instrument (spike check)',
    run: async (ask) => ['prices', 'check', await ask('instrument code')],
  },
];

export const MENUS = [
  'controls',
  'order_stack',
  'diagnostics',
  'update_capital_manual',
  'manual_check_historical_prices',
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
      return diagnosticsMenu();
    case 'update_capital_manual':
      return capitalMenu();
    case 'manual_check_historical_prices':
      return manualCheckMenu();
  }
}
