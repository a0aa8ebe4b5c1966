// Types for scripts/package-size.mjs, which test/package.test.ts imports.
export function packedSize(): {packed: number; unpacked: number; files: number; paths: {path: string; size: number}[]}
