import { ValidationError } from './errors';

/**
 * How deep JSON may nest, in every entry point: REST bodies (readJsonBody), rows given inline (REST JSON bodies and
 * GraphQL createDataset, importDatasetFromJson) and JSON files (the upload splitter). Deeper values overflowed the
 * stack of recursive code (key conversion, validation, JSON.stringify: a 500).
 */
export const MAX_JSON_DEPTH = 256;

/** The nesting depth of a parsed JSON value, without recursion (it stops counting past MAX_JSON_DEPTH). */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (!item || typeof item !== 'object') continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const inner of Array.isArray(item) ? item : Object.values(item))
      if (inner && typeof inner === 'object') stack.push([inner, depth + 1]);
  }
  return deepest;
}

/** Throws a 400 validation_error when `value` nests deeper than MAX_JSON_DEPTH. */
export function assertJsonDepth(value: unknown, what = 'The body'): void {
  if (nestingDepth(value) > MAX_JSON_DEPTH) throw new ValidationError(`${what} is nested deeper than ${MAX_JSON_DEPTH} levels.`);
}
