/**
 * The shapes vmarket shows the outside (docs/contracts.md): one zod schema per document, the
 * TypeScript types inferred from them, the status enums as `as const` arrays. The server's route
 * schemas and OpenAPI, the CLI and the web app all read them from here. This directory imports
 * only `zod`, so the web app can import its types (type-only imports cost the bundle nothing).
 */
export * from './steps.ts';
export * from './errors.ts';
export * from './catalog.ts';
export * from './certification.ts';
export * from './tickets.ts';
export * from './leads.ts';
export * from './publishers.ts';
export * from './marketplace.ts';
export * from './offers.ts';
export * from './operator.ts';
export * from './pagination.ts';
export * from './audit.ts';
export * from './test-drives.ts';
export * from './lifecycle.ts';
export type * from './known.ts';
