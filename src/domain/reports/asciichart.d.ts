// Types for the parts of asciichart (plain JS, no bundled types) the account curve report uses.
declare module 'asciichart' {
  export function plot(
    series: number[] | number[][],
    cfg?: { height?: number; format?: (x: number) => string },
  ): string;
}
