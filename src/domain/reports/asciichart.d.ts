// Types for the parts of asciichart (plain JS, no bundled types) systack uses: the account curve
// report and the backtest objects' terminal plot.
declare module 'asciichart' {
  export function plot(
    series: number[] | number[][],
    cfg?: { height?: number; format?: (x: number) => string; colors?: string[] },
  ): string;
}
