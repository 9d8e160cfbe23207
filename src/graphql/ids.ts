import { decodeGlobalID } from '@pothos/plugin-relay';

/**
 * GraphQL ids are Relay global ids, but the REST API shows plain UUIDs; arguments accept either, so ids copied from
 * one API work in the other.
 */
export function databaseId(id: string, typename: string): string {
  try {
    const decoded = decodeGlobalID(id);
    if (decoded.typename === typename) return decoded.id;
  } catch {
    // Not a global id: treat it as the UUID itself.
  }
  return id;
}
