import { AppError } from '../../src/common/errors';

/** The domain error a promise rejects with (its code and details), or a test failure. */
export async function failure(
  p: Promise<unknown>,
): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, message: err.message, details: err.details };
    throw err;
  }
  throw new Error('expected an AppError');
}
