/** Every step module by id, in pipeline order. */
import type { StepModule } from './context.ts';
import type { StepId } from './definitions.ts';
import { certifyStep } from './certify.ts';
import { deployStep } from './deploy.ts';
import { liveStep } from './live.ts';
import { packageStep } from './package.ts';
import { provisionStep } from './provision.ts';
import { signoffStep } from './signoff.ts';
import { testDriveStep } from './test-drive.ts';
import { validateStep } from './validate.ts';

export const STEP_MODULES: Record<StepId, StepModule> = {
  validate: validateStep,
  'test-drive': testDriveStep,
  certify: certifyStep,
  provision: provisionStep,
  package: packageStep,
  signoff: signoffStep,
  deploy: deployStep,
  live: liveStep,
};
