/** The `streamsource` command (package.json `bin`, built to dist/cli.js): see ./main.ts. */
import {cli} from './main.js'

cli()
