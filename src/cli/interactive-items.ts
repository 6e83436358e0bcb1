/** What a menu is made of (src/cli/interactive-menus.ts): entries, and how a leaf asks for its arguments. */

export type Ask = (label: string) => Promise<string>;
export type Choose = (label: string, choices: string[]) => Promise<string>;

/** A menu entry: a submenu, or the CLI arguments it runs (asked for with `ask`). */
export interface Item {
  name: string;
  run?: (ask: Ask) => Promise<string[]>;
  menu?: Item[];
}

/** A leaf that runs fixed arguments. */
export const leaf = (name: string, args: string[]): Item => ({ name, run: async () => args });

/** An optional answer: '-' for none. */
export const askOptional = async (ask: Ask, label: string): Promise<string> => {
  const a = await ask(`${label}; '-' for none`);
  return a === '-' ? '' : a;
};
