/**
 * What the sandbox's parent and its certification process say to each other over IPC. The child
 * reads hostile bytes, so everything it says is parsed with these schemas before it is believed;
 * anything else ends the child as a crash.
 */
import { z } from 'zod';
import { reportSchema } from '../../contracts/index.ts';
import { ERROR_CODES, type ErrorCode } from '../../errors.ts';
import type { CertificationReport, CertifyInput } from '../types.ts';

/** One certification's input as it crosses the process boundary: the whole input but the signal and callbacks (JSON). */
export type SandboxJob = Omit<CertifyInput, 'signal' | 'onProgress'>;

export interface CertifyRequest {
  type: 'certify';
  job: SandboxJob;
}

const text = (max: number) => z.string().max(max);

export const progressMessageSchema = z.object({ type: z.literal('progress'), fraction: z.number().min(0).max(1), phase: text(500) });

/** The SBOM document rides along with the report (types.ts `sbomJson`); a real one is well under 64 MiB. */
export const reportMessageSchema = z.object({ type: z.literal('report'), report: reportSchema.extend({ sbomJson: text(64 * 1024 * 1024).optional() }) });

/** A VmarketError the engine threw, with its translation when it was written as a phrase. */
export const errorMessageSchema = z.object({
  type: z.literal('error'),
  code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
  message: text(4000),
  de: text(4000).optional(),
  details: z.array(z.looseObject({ path: text(1000).optional(), message: text(4000) })).max(100).default([]),
});

export const childMessageSchema = z.discriminatedUnion('type', [progressMessageSchema, reportMessageSchema, errorMessageSchema]);
export type ChildMessage = z.infer<typeof childMessageSchema>;

/** What the child sends (the engine's report type; the parent parses it as the contract's looser shape). */
export type SentChildMessage = Exclude<ChildMessage, { type: 'report' }> | { type: 'report'; report: CertificationReport };
