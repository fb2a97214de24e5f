/**
 * A loose object's type without its `[key: string]: unknown` index signature: the fields the
 * contract names, for code that builds a document and wants a misspelt field caught. Top level
 * only; nested loose objects keep theirs.
 */
export type KnownFields<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
