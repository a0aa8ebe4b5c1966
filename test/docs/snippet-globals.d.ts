// What the documentation's code snippets take as given: an app's own names (a token, a render
// function, the request of a chat), declared here so that test/docs-snippets.test.ts type-checks
// each snippet as it is printed, with nothing but these around it.
declare const token: string
declare function getToken(): Promise<string>
declare const key: string
declare const model: string
declare const messages: {role: string; content: string}[]
declare const conversation: {role: string; content: string}[]
declare const request: unknown
declare function render(...values: unknown[]): void
declare const chart: {add(value: number): void}
