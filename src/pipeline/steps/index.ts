/**
 * The publishing pipeline, in order: this list is the only place that says which step follows
 * which (docs/contracts.md §4). Adding a step is one file in this folder and one entry here (see
 * docs/architecture.md, "Add a step").
 */
import type { PipelineStep } from './context.ts';
import { certifyStep } from './certify.ts';
import { deployStep } from './deploy.ts';
import { liveStep } from './live.ts';
import { packageStep } from './package.ts';
import { provisionStep } from './provision.ts';
import { signoffStep } from './signoff.ts';
import { testDriveStep } from './test-drive.ts';
import { validateStep } from './validate.ts';

export const PIPELINE_STEPS: readonly PipelineStep[] = [
  validateStep,
  testDriveStep,
  certifyStep,
  provisionStep,
  packageStep,
  signoffStep,
  deployStep,
  liveStep,
];
