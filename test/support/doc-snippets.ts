// The code blocks of the documentation, for the tests that check and run them
// (test/docs-snippets.test.ts, test/docs-snippets-run.test.ts).
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {repoRoot} from './paths.js'

/** The documents whose code blocks are checked. */
export const DOCUMENTS = ['README.md', 'docs/migrating.md', 'docs/faq.md']

export interface Snippet {
  /** `README.md:107`: the document and the line of the opening fence. */
  where: string
  language: 'ts' | 'tsx' | 'js'
  code: string
}

/** The ```ts, ```tsx and ```js blocks of a document, each with where it starts. */
export function snippetsOf(document: string): Snippet[] {
  const text = readFileSync(join(repoRoot, document), 'utf8')
  const snippets: Snippet[] = []
  for (const match of text.matchAll(/^```(tsx?|js)\n([\s\S]*?)^```$/gm)) {
    const line = text.slice(0, match.index).split('\n').length
    snippets.push({where: `${document}:${line}`, language: match[1] as Snippet['language'], code: match[2]!})
  }
  return snippets
}

