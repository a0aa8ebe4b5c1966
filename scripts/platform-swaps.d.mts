// Types for scripts/platform-swaps.mjs, which vitest.config.ts imports.
import type {Plugin} from 'vite'

export function swapModules(swaps: Map<string, string>, name?: string): Plugin
export const NODE_SWAPS: Map<string, string>
