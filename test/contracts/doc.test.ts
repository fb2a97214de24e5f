/**
 * docs/contracts.md against the code: every contract enum value, every top-level field of the
 * main documents, every certification check (with its severity), every publishing step (names
 * and default maximum) and every API route must be in the doc's section for it — and the check
 * and step tables name nothing the code does not have. Failures name what is missing.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { z } from 'zod';
import * as contracts from '../../src/contracts/index.ts';
import { REPORT_CHECKS } from '../../src/certification/checks/registry.ts';
import { PIPELINE_STEPS } from '../../src/pipeline/steps/index.ts';
import { estimatedTimeFrame } from '../../src/pipeline/time-frame.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const DOC = new URL('../../docs/contracts.md', import.meta.url);

/** The doc's sections by number (`## 4. Publishing steps` → 4). */
function sections(text: string): Map<number, string> {
  const out = new Map<number, string>();
  const parts = text.split(/^## (?=\d+\. )/m).slice(1);
  for (const part of parts) out.set(Number(part.slice(0, part.indexOf('.'))), part);
  return out;
}

/** `word` as a whole token (ids hold dashes and dots, so those do not end a word). */
function mentions(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.-])${escaped}(?![\\w-])`).test(text);
}

/** The rows of the Markdown tables in `text` whose first cell is a `code` id: id → the other cells. */
function tableRows(text: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^\|\s*`([^`]+)`\s*\|(.*)\|\s*$/.exec(line);
    if (match) rows.set(match[1], match[2].split('|').map((cell) => cell.trim()));
  }
  return rows;
}

function missingIn(text: string, words: readonly string[]): string[] {
  return words.filter((w) => !mentions(text, w));
}

function fieldsOf(schema: z.ZodObject): string[] {
  return Object.keys(schema.shape);
}

describe('docs/contracts.md', () => {
  let doc: Map<number, string>;
  let server: TestServer;

  before(async () => {
    doc = sections(await readFile(DOC, 'utf8'));
    server = await startTestServer({ workers: false });
  });
  after(() => server?.close());

  test('has sections 1 to 7', () => {
    assert.deepEqual([...doc.keys()], [1, 2, 3, 4, 5, 6, 7], 'the section numbers are cited from code comments (docs/contracts.md §N)');
  });

  test('every value of the contract enums is in its section', () => {
    const enums: [section: number, name: string, values: readonly string[]][] = [
      [4, 'STEP_STATUSES', contracts.STEP_STATUSES],
      [4, 'OPERATION_STATUSES', contracts.OPERATION_STATUSES],
      [4, 'OFFER_STATUSES', contracts.OFFER_STATUSES],
      [4, 'MESSAGE_LEVELS', contracts.MESSAGE_LEVELS],
      [5, 'TICKET_STATUSES', contracts.TICKET_STATUSES],
      [5, 'TICKET_SOURCES', contracts.TICKET_SOURCES],
      [5, 'LEAD_DELIVERY_STATUSES', contracts.LEAD_DELIVERY_STATUSES],
      [5, 'LEAD_KINDS', contracts.LEAD_KINDS],
      [5, 'OFFER_SLOTS', contracts.OFFER_SLOTS],
      [5, 'PRINCIPAL_KINDS', contracts.PRINCIPAL_KINDS],
      [5, 'REVIEW_DECISIONS', contracts.REVIEW_DECISIONS],
      [5, 'AUDIT_ACTOR_KINDS', contracts.AUDIT_ACTOR_KINDS],
      [5, 'AUDIT_OUTCOMES', contracts.AUDIT_OUTCOMES],
      [5, 'TEST_DRIVE_STATUSES', contracts.TEST_DRIVE_STATUSES],
      [5, 'TEST_DRIVE_END_REASONS', contracts.TEST_DRIVE_END_REASONS],
      [2, 'PRICING_MODELS', contracts.PRICING_MODELS],
      [3, 'DELIVERY_FORMATS', contracts.DELIVERY_FORMATS],
      [6, 'REPORT_RESULTS', contracts.REPORT_RESULTS],
      [6, 'CHECK_STATUSES', contracts.CHECK_STATUSES],
      [6, 'CHECK_SEVERITIES', contracts.CHECK_SEVERITIES],
      [6, 'IMAGE_ROLES', contracts.IMAGE_ROLES],
      [6, 'IMAGE_FORMATS', contracts.IMAGE_FORMATS],
      [6, 'REVIEW_STATUSES', contracts.REVIEW_STATUSES],
    ];
    const problems = enums.flatMap(([section, name, values]) =>
      missingIn(doc.get(section) ?? '', values).map((v) => `§${section} lacks ${name} value "${v}"`),
    );
    assert.deepEqual(problems, []);
  });

  test('every top-level field of the main documents is named in its section', () => {
    const documents: [section: number, name: string, schema: z.ZodObject][] = [
      [5, 'status document (OfferStatus)', contracts.offerStatusSchema],
      [5, 'Step', contracts.stepSchema],
      [5, 'step message', contracts.stepMessageSchema],
      [5, 'Operation', contracts.operationSchema],
      [5, 'transition', contracts.transitionSchema],
      [5, 'Ticket', contracts.ticketSchema],
      [5, 'TicketComment', contracts.ticketCommentSchema],
      [5, 'Lead', contracts.leadSchema],
      [5, 'Me', contracts.meSchema],
      [5, 'OfferSummary', contracts.offerSummarySchema],
      [5, 'OfferSlot', contracts.offerSlotSchema],
      [5, 'DraftSaved', contracts.draftSavedSchema],
      [5, 'Marketplace', contracts.marketplaceSchema],
      [5, 'marketplace step', contracts.stepFactSchema],
      [5, 'OperationSummary', contracts.operationSummarySchema],
      [5, 'PendingReview', contracts.pendingReviewSchema],
      [5, 'CatalogOffer', contracts.catalogOfferSchema],
      [5, 'AcquiredPackage', contracts.acquiredPackageSchema],
      [5, 'error body', contracts.errorSchema.shape.error],
      [5, 'AuditEvent', contracts.auditEventSchema],
      [5, 'audit actor', contracts.auditActorSchema],
      [5, 'TestDrive', contracts.testDriveSchema],
      [5, 'TestDriveStarted', contracts.testDriveStartedSchema],
      [5, 'OperatorTestDrive', contracts.operatorTestDriveSchema],
      [6, 'CertificationReport', contracts.certificationReportSchema],
      [6, 'report image', contracts.reportImageSchema],
      [6, 'check', contracts.checkSchema],
      [6, 'evidence', contracts.evidenceSchema],
      [6, 'review', contracts.reviewSchema],
      [6, 'stats', contracts.reportStatsSchema],
      [7, 'Package', contracts.packageSchema],
      [7, 'package image', contracts.packageImageSchema],
    ];
    const problems = documents.flatMap(([section, name, schema]) =>
      missingIn(doc.get(section) ?? '', fieldsOf(schema)).map((field) => `§${section} does not name field "${field}" of ${name}`),
    );
    assert.deepEqual(problems, []);
  });

  test('§6 lists every certification check with its severity, and no check the registry lacks', () => {
    const rows = tableRows(doc.get(6) ?? '');
    const problems: string[] = [];
    for (const check of REPORT_CHECKS) {
      const row = rows.get(check.id);
      if (!row) problems.push(`§6 has no row for check ${check.id}`);
      else if (row[0] !== check.severity) problems.push(`§6 gives check ${check.id} severity "${row[0]}", the registry "${check.severity}"`);
    }
    const known = new Set<string>(REPORT_CHECKS.map((c) => c.id));
    for (const id of rows.keys()) if (!known.has(id)) problems.push(`§6 lists check ${id}, which the registry does not have`);
    assert.deepEqual(problems, []);
  });

  test('§4 lists every publishing step with its names and default maximum, and no other', () => {
    const rows = tableRows(doc.get(4) ?? '');
    const problems: string[] = [];
    for (const step of PIPELINE_STEPS) {
      const row = rows.get(step.id);
      const max = estimatedTimeFrame(step.expectedMaxSeconds);
      if (!row) problems.push(`§4 has no row for step ${step.id}`);
      else {
        if (row[0] !== step.name.en) problems.push(`§4 names step ${step.id} "${row[0]}" in English, the code "${step.name.en}"`);
        if (row[1] !== step.name.de) problems.push(`§4 names step ${step.id} "${row[1]}" in German, the code "${step.name.de}"`);
        if (row[2] !== max) problems.push(`§4 gives step ${step.id} the maximum "${row[2]}", the code "${max}"`);
      }
    }
    const known = new Set<string>(PIPELINE_STEPS.map((s) => s.id));
    for (const id of rows.keys()) if (!known.has(id)) problems.push(`§4 lists step ${id}, which the pipeline does not have`);
    assert.deepEqual(problems, []);
  });

  test('§5 lists every route of the API (method and path, relative to /api/v1)', async () => {
    const openapi = (await server.api('GET', '/api/v1/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const section = doc.get(5) ?? '';
    const problems: string[] = [];
    const routes = Object.entries(openapi.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/^\/api\/v1(?=\/)/, '')}`));
    // hidden from the OpenAPI document, but a surface all the same
    routes.push('GET /metrics');
    for (const route of routes) if (!section.includes(`\`${route}`)) problems.push(`§5 does not list ${route}`);
    assert.ok(routes.length > 20, 'the OpenAPI document lists the routes');
    assert.deepEqual(problems, []);
  });
});
