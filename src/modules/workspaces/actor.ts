import { InsufficientScopeError, UnauthorizedError } from '../../errors';
import type { Scope } from './keys';

/** Who is calling: the workspace of the API key and what the key may do. */
export interface Actor {
  workspaceId: string;
  apiKeyId: string;
  scopes: ReadonlySet<Scope>;
}

/** The one permission check every service calls before touching workspace data. */
export function requireScope(actor: Actor | null, scope: Scope): Actor {
  if (!actor) throw new UnauthorizedError();
  if (!actor.scopes.has(scope)) throw new InsufficientScopeError(scope);
  return actor;
}
