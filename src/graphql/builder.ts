import SchemaBuilder from '@pothos/core';
import DrizzlePlugin from '@pothos/plugin-drizzle';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { type AuthFailure } from '@pothos/plugin-scope-auth';
import { getTableConfig } from 'drizzle-orm/pg-core';
import type { Context } from '../context';
import { relations } from '../db/relations';
import { ConflictError, InsufficientScopeError, NotFoundError, PayloadTooLargeError, UnauthorizedError, ValidationError } from '../errors';

export interface PothosTypes {
  Context: Context;
  DrizzleRelations: typeof relations;
  AuthScopes: { read: boolean; write: boolean };
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    File: { Input: File; Output: never };
  };
  DefaultFieldNullability: false;
}

export const builder = new SchemaBuilder<PothosTypes>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin, DrizzlePlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (context) => ({
      read: context.actor?.scopes.has('read') ?? false,
      write: context.actor?.scopes.has('write') ?? false,
    }),
    unauthorizedError: (_parent, context, info, result) =>
      context.actor
        ? new InsufficientScopeError(missingScope(result.failure) ?? (info.operation.operation === 'mutation' ? 'write' : 'read'))
        : new UnauthorizedError(),
  },
  errors: { defaultTypes: [ValidationError, NotFoundError, ConflictError, PayloadTooLargeError] },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
  drizzle: { client: (context) => context.db, getTableConfig, relations },
});

/** The builder's schema types, for helpers that build fields outside a module's schema file. */
export type SchemaTypes = PothosSchemaTypes.ExtendDefaultTypes<PothosTypes>;

/**
 * The scope a failed check asked for. `authScopes: { write: true }` fails as AnyAuthScopes around the AuthScope of
 * `write`: taking only a top-level AuthScope told a read-only key running a mutation that it lacked "read".
 */
function missingScope(failure: AuthFailure): string | undefined {
  if (failure.kind === 'AuthScope') return String(failure.scope);
  if ('failures' in failure)
    for (const inner of failure.failures) {
      const scope = missingScope(inner);
      if (scope) return scope;
    }
  return undefined;
}
