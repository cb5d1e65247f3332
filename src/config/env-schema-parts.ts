import { z } from 'zod';

/** Schema pieces shared by the environment's schemas (config.ts, media-store-config.ts). */
export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** An unset or blank variable is absent, not an empty string. */
export const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();
