// Kept for the imports that name it: the lookup lives in browser-paths.mjs with the other engines'.
export {findChromium} from './browser-paths.mjs'
