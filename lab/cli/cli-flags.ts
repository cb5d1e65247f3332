function numberFlag(
  kind: 'an integer' | 'a number',
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
  fallback?: number,
): number {
  if (raw === undefined) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  const value = Number(raw);
  const valid = kind === 'an integer' ? Number.isInteger(value) : raw.trim() !== '' && Number.isFinite(value);
  if (!valid || value < min || value > max)
    throw new Error(`--${name} must be ${kind} in [${min}, ${max}], got ${raw}`);
  return value;
}

/** An integer command-line flag within [min, max]; `fallback` when the flag was not given. */
export function intFlag(name: string, raw: string | undefined, min: number, max: number, fallback?: number): number {
  return numberFlag('an integer', name, raw, min, max, fallback);
}

/** A number command-line flag within [min, max]; `fallback` when the flag was not given. */
export function floatFlag(name: string, raw: string | undefined, min: number, max: number, fallback?: number): number {
  return numberFlag('a number', name, raw, min, max, fallback);
}
