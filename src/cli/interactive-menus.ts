/**
 * The menus of `systack interactive` (production doc "Interactive scripts"), as data: each entry a
 * submenu or the `systack` arguments its leaf runs (asked for with `ask`, chosen with `choose`). The menus
 * are in interactive-controls-menu.ts, interactive-order-stack-menu.ts and
 * interactive-diagnostics-menu.ts.
 */
import { controlsMenu } from './interactive-controls-menu.ts';
import {
  capitalMenu,
  diagnosticsMenu,
  manualCheckFxMenu,
  manualCheckMenu,
} from './interactive-diagnostics-menu.ts';
import { orderStackMenu } from './interactive-order-stack-menu.ts';

export type { Ask, Choose, Item } from './interactive-items.ts';
import type { Choose, Item } from './interactive-items.ts';

export const MENUS = [
  'controls',
  'order_stack',
  'diagnostics',
  'update_capital_manual',
  'manual_check_historical_prices',
  'manual_check_fx_prices',
] as const;

export type Menu = (typeof MENUS)[number];

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
