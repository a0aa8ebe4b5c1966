/** See runtime-paths.mjs: the binary of a runtime the npm packages carry, and its `--version` line. */
export function runtimePath(name: 'deno' | 'bun' | 'workerd'): {path: string; version: string}
