import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken } from '../context';
import { UnauthorizedError } from '../errors';
import { secretsEqual } from '../modules/workspaces/keys';

/** The admin routes' guard: `Authorization: Bearer <ADMIN_TOKEN>` (constant-time compare). Unset ADMIN_TOKEN → 401. */
export function requireAdminToken(expected: string | undefined, headers: IncomingHttpHeaders): void {
  const token = bearerToken(headers.authorization);
  if (!expected || !token || !secretsEqual(token, expected)) throw new UnauthorizedError('Missing or invalid admin token.');
}
