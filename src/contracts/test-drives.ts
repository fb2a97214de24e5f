/**
 * Customers' test drives (docs/contracts.md "Test drives"): a VM booted from an offer's live
 * test-drive image for `durationHours`, with its credentials and a serial console in the browser.
 */
import { z } from 'zod';

/** `starting`: booting (or waiting for a hot instance); `failed`: the VM did not start or died. */
export const TEST_DRIVE_STATUSES = ['starting', 'running', 'ended', 'failed'] as const;
export const testDriveStatusSchema = z.enum(TEST_DRIVE_STATUSES);
export type TestDriveStatus = z.infer<typeof testDriveStatusSchema>;

/**
 * Why a test drive ended: its time ran out, the customer ended it, the operator stopped it, the VM
 * exited or failed to start, the process holding it stopped (a restart) or closed, or (a hot
 * instance) its offer's live test drive changed or hosting was turned off.
 */
export const TEST_DRIVE_END_REASONS = ['expired', 'customer', 'operator', 'vm-exited', 'start-failed', 'process-stopped', 'shutdown', 'withdrawn'] as const;
export const testDriveEndReasonSchema = z.enum(TEST_DRIVE_END_REASONS);
export type TestDriveEndReason = z.infer<typeof testDriveEndReasonSchema>;

/** What the customer holding the access token reads. */
export const testDriveSchema = z
  .object({
    id: z.string(),
    /** `publisher.offer` */
    offer: z.string(),
    plan: z.string(),
    region: z.string(),
    status: testDriveStatusSchema,
    startedAt: z.string(),
    /** When the VM is destroyed (ISO 8601). */
    expiresAt: z.string(),
    endedAt: z.string().nullable(),
    endReason: testDriveEndReasonSchema.nullable(),
    /** Seconds until `expiresAt` (0 once ended). */
    secondsLeft: z.number().int(),
    login: z.object({
      user: z.string(),
      /** The generated console and SSH password (config testDrives.password), else null: key only. */
      password: z.string().nullable(),
      /** The private key can still be downloaded (once, `GET …/private-key`). */
      privateKeyAvailable: z.boolean(),
    }),
    /** The offer's user manual for the test drive. */
    userManualUrl: z.string().nullable(),
    leadId: z.string(),
  })
  .meta({ id: 'TestDrive' });
export type TestDriveView = z.infer<typeof testDriveSchema>;

/** The answer to a start: the test drive and the one token that reads, ends and opens it. */
export const testDriveStartedSchema = z
  .object({
    accessToken: z.string().describe('Send as X-Test-Drive-Token (and as the console\'s first message); shown only in this answer.'),
    testDrive: testDriveSchema,
  })
  .meta({ id: 'TestDriveStarted' });
export type TestDriveStarted = z.infer<typeof testDriveStartedSchema>;

/** A test drive as the operator lists it (`GET /test-drives`). */
export const operatorTestDriveSchema = z
  .object({
    id: z.string(),
    offer: z.string(),
    plan: z.string(),
    region: z.string(),
    status: testDriveStatusSchema,
    /** A hot instance booted in advance, not yet taken by a customer. */
    hot: z.boolean(),
    subscriptionId: z.string().nullable(),
    email: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    leadId: z.string().nullable(),
  })
  .meta({ id: 'OperatorTestDrive' });
export type OperatorTestDrive = z.infer<typeof operatorTestDriveSchema>;
