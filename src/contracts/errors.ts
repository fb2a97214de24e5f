/** The error body every failing API answer carries (docs/contracts.md §5). */
import { z } from 'zod';

export const errorDetailSchema = z.looseObject({
  path: z.string().optional().describe('The field the problem is about, e.g. `plans[0].regions[1]`.'),
  message: z.string(),
});
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('A stable code, e.g. VALIDATION_FAILED, CONFLICT, UNAUTHORIZED.'),
      message: z.string().describe('One clear sentence.'),
      details: z.array(errorDetailSchema).describe('One entry per problem (every problem at once for validation).'),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof errorSchema>;
