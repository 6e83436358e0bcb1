/** Types of scripts/build.mjs (the compile step; plain JavaScript so it runs before any build). */
export function isStale(): boolean;
export function build(opts?: { force?: boolean; quiet?: boolean }): number;
