/**
 * REST speaks snake_case, GraphQL and the services camelCase: these convert object keys at the edge (request bodies
 * in http/rest, the REST bodies of each module's body.ts, error detail paths).
 */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

function convertKeys(value: unknown, convert: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => convertKeys(item, convert));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [convert(key), convertKeys(inner, convert)]));
  }
  return value;
}

/** Deep: only for bodies whose keys are all ours (never user column names). */
export const keysToCamel = (value: unknown) => convertKeys(value, camelCase);
export const keysToSnake = (value: unknown) => convertKeys(value, snakeCase);

/** `fieldMappings[0].options.toleranceDays` → `field_mappings[0].options.tolerance_days`; a key the client chose,
 *  written `["myQuery"]` (errors.ts, ClientKey), stays as it is. */
export function pathToSnake(path: string): string {
  return path.replace(/\["(?:[^"\\]|\\.)*"\]|[A-Za-z][A-Za-z0-9]*/g, (segment) => (segment.startsWith('[') ? segment : snakeCase(segment)));
}
