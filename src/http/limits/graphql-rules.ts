import {
  GraphQLError,
  Kind,
  getNamedType,
  isInterfaceType,
  isObjectType,
  type ASTNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';

/** The GraphQL limits of the settings (GRAPHQL_MAX_*). */
export interface GraphQLLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
}

/** Page-size arguments that multiply the cost of what is selected below them. */
const PAGE_ARGUMENTS = ['first', 'last', 'limit'];
/** The page size assumed when it comes from a variable (the largest page a connection gives). */
const VARIABLE_PAGE_SIZE = 100;
/** The page size assumed when a paged field is selected without one (Pothos' default connection size). */
const DEFAULT_PAGE_SIZE = 20;

export function tooComplex(message: string, limit: string, max: number, actual: number, nodes?: ASTNode | ASTNode[]): GraphQLError {
  return new GraphQLError(message, { nodes, extensions: { code: 'query_too_complex', limit, max, actual } });
}

/** At most `max` aliased fields in the whole document (fragments counted once). */
export function maxAliasesRule(max: number): ValidationRule {
  return function MaxAliases(context: ValidationContext) {
    let aliases = 0;
    return {
      Field(node: FieldNode) {
        if (node.alias) aliases += 1;
      },
      Document: {
        leave() {
          if (aliases > max)
            context.reportError(tooComplex(`The document uses ${aliases} aliases; at most ${max} are allowed.`, 'aliases', max, aliases));
        },
      },
    };
  };
}

/**
 * Depth and cost of each operation, with fragments expanded. Introspection fields (`__schema`, `__type`) count for
 * neither. Cost: each field is 1, times the page sizes of the paged fields it is nested in (`first`/`last`/`limit`:
 * a literal as given, a variable as 100, absent as the argument's default or 20); lists without a page argument
 * count once.
 */
export function depthAndCostRule(maxDepth: number, maxCost: number): ValidationRule {
  return function DepthAndCost(context: ValidationContext) {
    const schema = context.getSchema();
    const measure = (
      selectionSet: SelectionSetNode,
      parent: GraphQLNamedType | undefined,
      depth: number,
      multiplier: number,
      fragments: Set<string>,
    ): { depth: number; cost: number } => {
      let deepest = depth;
      let cost = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          const name = selection.name.value;
          if (name.startsWith('__')) continue;
          cost += multiplier;
          const field = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
          deepest = Math.max(deepest, depth + 1);
          if (selection.selectionSet) {
            const below = measure(
              selection.selectionSet,
              field ? getNamedType(field.type) : undefined,
              depth + 1,
              multiplier * pageSize(selection, field),
              fragments,
            );
            deepest = Math.max(deepest, below.depth);
            cost += below.cost;
          }
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
          const below = measure(selection.selectionSet, type ?? undefined, depth, multiplier, fragments);
          deepest = Math.max(deepest, below.depth);
          cost += below.cost;
        } else {
          const name = selection.name.value;
          const fragment = context.getFragment(name);
          // Unknown or cyclic spreads are reported by the standard rules.
          if (!fragment || fragments.has(name)) continue;
          const type = schema.getType(fragment.typeCondition.name.value);
          const below = measure(fragment.selectionSet, type ?? undefined, depth, multiplier, new Set(fragments).add(name));
          deepest = Math.max(deepest, below.depth);
          cost += below.cost;
        }
      }
      return { depth: deepest, cost };
    };

    return {
      OperationDefinition(node) {
        const root = schema.getRootType(node.operation) ?? undefined;
        const { depth, cost } = measure(node.selectionSet, root, 0, 1, new Set());
        const name = node.name ? `Operation "${node.name.value}"` : 'The operation';
        if (depth > maxDepth)
          context.reportError(
            tooComplex(`${name} is ${depth} levels deep; at most ${maxDepth} are allowed.`, 'depth', maxDepth, depth, node),
          );
        if (cost > maxCost)
          context.reportError(
            tooComplex(`${name} has an estimated cost of ${cost}; at most ${maxCost} is allowed.`, 'cost', maxCost, cost, node),
          );
        return false;
      },
    };
  };
}

function pageSize(node: FieldNode, field: GraphQLField<unknown, unknown> | undefined): number {
  for (const name of PAGE_ARGUMENTS) {
    const given = node.arguments?.find((argument) => argument.name.value === name);
    if (given) return sizeOf(given.value);
  }
  const declared = field?.args.find((argument) => PAGE_ARGUMENTS.includes(argument.name));
  if (!declared) return 1;
  return typeof declared.defaultValue === 'number' ? Math.max(1, declared.defaultValue) : DEFAULT_PAGE_SIZE;
}

function sizeOf(value: ValueNode): number {
  if (value.kind === Kind.INT) return Math.max(1, Number(value.value));
  if (value.kind === Kind.VARIABLE) return VARIABLE_PAGE_SIZE;
  return 1;
}
