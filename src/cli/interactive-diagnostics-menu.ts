/**
 * interactive_diagnostics, interactive_update_capital_manual and
 * interactive_manual_check_historical_prices and interactive_manual_check_fx_prices as menu data (the reference's menu structure, each
 * leaf the `systack` arguments it runs); interactive_controls and interactive_order_stack are in
 * interactive-menus.ts.
 */
import { REPORT_NAMES } from '../../actors/reports/build.ts';
import { BACKTEST_STAGE_NAMES, BACKTEST_STAGES } from '../domain/system/backtest-objects.ts';
import { type Ask, type Choose, type Item, leaf } from './interactive-items.ts';

const LEVELS = ['instrument', 'contract', 'broker'];

export function diagnosticsMenu(choose: Choose): Item[] {
  const code = (ask: Ask) => ask('instrument code');
  return [
    {
      name: 'Backtest objects',
      menu: [
        {
          // The reference's order: the output (print, plot, html, interactive; csv too), the strategy, then
          // stage, method and its arguments.
          name: 'Browse backtest objects (stage / method / instrument)',
          run: async (ask) => {
            const output = await choose('output', ['print', 'plot', 'html', 'csv', 'interactive']);
            const strategy = await ask('strategy name');
            const stage = await choose('stage', BACKTEST_STAGE_NAMES);
            const method = await choose('method', Object.keys(BACKTEST_STAGES[stage]!));
            const instrument = await code(ask);
            const rule = BACKTEST_STAGES[stage]![method]!.perRule
              ? ['--rule', await ask('trading rule')]
              : [];
            return [
              'strategy',
              'backtest',
              '--strategy',
              strategy,
              '--stage',
              stage,
              '--method',
              method,
              '--instrument',
              instrument,
              ...rule,
              '--output',
              output,
            ];
          },
        },
        { name: 'Optimal positions', run: async () => ['strategy', 'positions'] },
        {
          name: 'System diagnostics of an instrument (stage outputs of the last run)',
          run: async (ask) => [
            'strategy',
            'diagnostics',
            '--strategy',
            await ask('strategy name'),
            '--instrument',
            await code(ask),
          ],
        },
        leaf('Strategy actor states', ['strategy', 'actors']),
      ],
    },
    {
      name: 'Reports',
      menu: [
        leaf('List the latest reports', ['report', 'list']),
        {
          name: 'Run a report now',
          run: async () => ['report', 'run', await choose('report', [...REPORT_NAMES])],
        },
        {
          name: 'Show the latest stored report',
          run: async () => ['report', 'show', await choose('report', [...REPORT_NAMES])],
        },
      ],
    },
    {
      name: 'Logs, errors, emails',
      menu: [
        leaf('View stored emails', ['email', 'show']),
        {
          name: 'View errors',
          run: async (ask) => [
            'logs',
            '--level',
            await choose('level and above', ['warn', 'error', 'critical']),
            '--lookback',
            await ask('days back'),
          ],
        },
        {
          name: 'View logs (filtered by attribute)',
          run: async (ask) => {
            const attr = await ask("attribute filter key=value ('-' for none)");
            return ['logs', '--lookback', await ask('days back'), ...(attr === '-' ? [] : ['--attr', attr])];
          },
        },
      ],
    },
    {
      name: 'View prices',
      menu: [
        leaf('Instruments with prices', ['prices', 'list']),
        {
          name: 'Individual futures contract prices',
          run: async (ask) => [
            'prices',
            'show',
            await code(ask),
            '--kind',
            'contract',
            '--contract',
            await ask('contract (YYYYMMDD)'),
          ],
        },
        {
          name: 'Multiple prices',
          run: async (ask) => ['prices', 'show', await code(ask), '--kind', 'multiple'],
        },
        { name: 'Adjusted prices', run: async (ask) => ['prices', 'show', await code(ask)] },
        {
          name: 'FX prices',
          run: async (ask) => ['prices', 'show', await ask('FX code (e.g. GBPUSD)'), '--kind', 'fx'],
        },
      ],
    },
    {
      name: 'View capital',
      menu: [
        leaf('Capital for each strategy, and total capital now', ['capital', 'show']),
        leaf('Total capital history (current, broker valuation, maximum, accumulated)', [
          'capital',
          'history',
        ]),
      ],
    },
    {
      name: 'Positions and orders',
      menu: [
        leaf('Optimal positions (instruments for strategy)', ['strategy', 'positions']),
        leaf('Actual positions (strategy and contract level, and at the broker)', ['orders', 'positions']),
        leaf('Instrument orders', ['orders', 'view', 'instrument']),
        leaf('Contract orders', ['orders', 'view', 'contract']),
        leaf('Broker orders', ['orders', 'view', 'broker']),
        {
          name: 'Full details of one order, with its history',
          run: async (ask) => ['orders', 'history', await choose('level', LEVELS), await ask('order id')],
        },
      ],
    },
    {
      name: 'Instrument configuration',
      menu: [
        {
          name: 'View instrument configuration data',
          run: async (ask) => ['diagnostics', 'instrument-config', await code(ask)],
        },
        {
          name: 'View contract configuration data',
          run: async (ask) => [
            'diagnostics',
            'contract-config',
            await code(ask),
            await ask('contract (YYYYMM00, e.g. 20250600)'),
          ],
        },
      ],
    },
    { name: 'Configuration', menu: [leaf('View configuration', ['config', 'show'])] },
  ];
}

export const capitalMenu = (choose: Choose): Item[] => [
  leaf('View total capital', ['capital', 'show']),
  leaf('View capital history', ['capital', 'history']),
  {
    name: 'Initialise capital',
    run: async (ask) => ['capital', 'initialise', '--account-value', await ask('broker account value')],
  },
  {
    name: 'Update capital from the broker account value',
    run: async (ask) => ['capital', 'update', '--account-value', await ask('account value')],
  },
  { name: 'Deposit', run: async (ask) => ['capital', 'deposit', await ask('amount')] },
  { name: 'Withdrawal', run: async (ask) => ['capital', 'withdraw', await ask('amount')] },
  leaf('Accept a held large change', ['capital', 'accept']),
  {
    name: 'Modify any value',
    run: async (ask) => {
      const field = await choose('value', [
        '--account-value',
        '--total-capital',
        '--max-capital',
        '--accumulated-pnl',
      ]);
      return ['capital', 'modify', field, await ask('new value')];
    },
  },
  {
    name: 'Delete values since a time (CAREFUL!)',
    run: async (ask) => ['capital', 'delete-since', await ask('ISO time, e.g. 2026-11-20T00:00:00Z')],
  },
];

export const manualCheckFxMenu = (): Item[] => [
  leaf('FX codes with prices', ['prices', 'list']),
  {
    name: 'Check an FX code (spike check)',
    run: async (ask) => ['prices', 'check', await ask('FX code (e.g. GBPUSD)')],
  },
];

export const manualCheckMenu = (): Item[] => [
  leaf('Instruments with prices', ['prices', 'list']),
  {
    name: 'Check an instrument (spike check)',
    run: async (ask) => ['prices', 'check', await ask('instrument code')],
  },
];
