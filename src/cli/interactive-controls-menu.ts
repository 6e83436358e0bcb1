/** interactive_controls as menu data (the reference's menu structure; each leaf the `systack` arguments it runs). */
import { type Ask, askOptional, type Choose, type Item, leaf } from './interactive-items.ts';

const PROCESS_STATUSES = ['GO', 'STOP', 'NO-RUN', 'PAUSE'];

export function controlsMenu(choose: Choose): Item[] {
  // get_risk_multiplier's three figures, asked in the reference's order by both auto-populates.
  const riskMultiplierArgs = async (ask: Ask) => [
    '--risk-target',
    await ask('notional risk target (fraction per year, e.g. 0.25)'),
    '--idm',
    await ask('approximate IDM (e.g. 2.5)'),
    '--instrument-weight',
    await ask('notional instrument weight (go large for safety, e.g. 0.1)'),
  ];
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
        {
          // The reference asks for the risk multiplier's figures, then the trade multiplier
          // (default 0.33) and the period (default 1 day); the command shows the limits and asks
          // before it writes them.
          name: 'Autopopulate limits',
          run: async (ask) => [
            'control',
            'trade-limits',
            'auto-populate',
            ...(await riskMultiplierArgs(ask)),
            '--trade-multiplier',
            await ask('highest proportion of standard position expected to trade daily (e.g. 0.33)'),
            '--days',
            await ask('period in days to set the limit for (e.g. 1)'),
          ],
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
        {
          // The reference asks for these figures (defaults 0.25, 2.5, 0.1), shows the limits and
          // asks before it writes them; the command does the same on this terminal.
          name: 'Autopopulate limits',
          run: async (ask) => ['control', 'limits', 'auto-populate', ...(await riskMultiplierArgs(ask))],
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
