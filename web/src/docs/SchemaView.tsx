import type { JsonSchema, OpenApiDocument } from './openapi';
import { lookup, refName } from './openapi';
import { InlineText } from './InlineText';

interface Props {
  document: OpenApiDocument;
  schema: JsonSchema;
  /** Named schemas already open above this one: a recursive schema stops at its second appearance. */
  seen?: readonly string[];
}

/** True for a schema that fits in one line: no properties, no references, no arrays of objects, no variants. */
function isSimple(schema: JsonSchema): boolean {
  return !schema.$ref && !schema.properties && !schema.oneOf && !schema.anyOf && !schema.allOf && (!schema.items || isSimple(schema.items));
}

/** `oneOf: [{type: string, pattern}, {type: null}]` reads better as `string | null` with the constraints after it. */
function simpleVariants(schema: JsonSchema): JsonSchema[] | null {
  const variants = schema.oneOf ?? schema.anyOf;
  return variants && variants.every(isSimple) ? variants : null;
}

function typeLabel(schema: JsonSchema): string {
  const variants = simpleVariants(schema);
  if (variants) return variants.map(typeLabel).join(' | ');
  const types = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type;
  if (types === 'array' && schema.items) return `array of ${schema.items.$ref ? refName(schema.items.$ref) : typeLabel(schema.items)}`;
  return [types ?? (schema.properties ? 'object' : ''), schema.format ? `(${schema.format})` : ''].filter(Boolean).join(' ') || 'any';
}

/** Enum, bounds, default, pattern: the constraints written out in one line. */
function constraints(schema: JsonSchema): string[] {
  const list: string[] = simpleVariants(schema)?.flatMap(constraints) ?? [];
  if (schema.enum) list.push(`one of ${schema.enum.map((item) => JSON.stringify(item)).join(', ')}`);
  if (schema.const !== undefined) list.push(`always ${JSON.stringify(schema.const)}`);
  if (schema.minimum !== undefined) list.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) list.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined) list.push(`length ≥ ${schema.minLength}`);
  if (schema.maxLength !== undefined) list.push(`length ≤ ${schema.maxLength}`);
  if (schema.pattern) list.push(`pattern ${schema.pattern}`);
  if (schema.default !== undefined) list.push(`default ${JSON.stringify(schema.default)}`);
  return list;
}

/** A JSON schema as a nested list: properties with their types, required marks, constraints and descriptions. */
export function SchemaView({ document, schema, seen = [] }: Props) {
  if (schema.$ref) {
    const name = refName(schema.$ref);
    const target = lookup(document, schema.$ref) as JsonSchema | undefined;
    if (!target || seen.includes(name)) return <code class="schema-ref">{name}</code>;
    return (
      <details class="schema" open={seen.length < 1}>
        <summary>
          <code class="schema-ref">{name}</code> <span class="hint">{typeLabel(target)}</span>
        </summary>
        <SchemaView document={document} schema={target} seen={[...seen, name]} />
      </details>
    );
  }
  const variants = schema.oneOf ?? schema.anyOf ?? schema.allOf;
  if (variants && !simpleVariants(schema)) {
    const word = schema.allOf ? 'all of' : 'one of';
    return (
      <div class="schema">
        {schema.description && (
          <p>
            <InlineText text={schema.description} />
          </p>
        )}
        <span class="hint">{word}:</span>
        <ul>
          {variants.map((variant, index) => (
            <li key={index}>
              <SchemaView document={document} schema={variant} seen={seen} />
            </li>
          ))}
        </ul>
      </div>
    );
  }
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  return (
    <div class="schema">
      {properties.length === 0 && (
        <p>
          <code>{typeLabel(schema)}</code> {constraints(schema).join('; ')} <InlineText text={schema.description} />
        </p>
      )}
      {schema.items && (schema.items.$ref || schema.items.properties) && (
        <SchemaView document={document} schema={schema.items} seen={seen} />
      )}
      {properties.length > 0 && (
        <ul class="properties">
          {properties.map(([name, property]) => (
            <li key={name}>
              <code class="property">{name}</code>
              {required.has(name) && (
                <span class="required" title="required">
                  *
                </span>
              )}{' '}
              <span class="type">{property.$ref ? refName(property.$ref) : typeLabel(property)}</span>
              {constraints(property).length > 0 && <span class="hint"> {constraints(property).join('; ')}</span>}
              {property.description && (
                <span>
                  {' '}
                  — <InlineText text={property.description} />
                </span>
              )}
              {(property.$ref ||
                property.properties ||
                ((property.oneOf || property.anyOf) && !simpleVariants(property)) ||
                property.items?.$ref ||
                property.items?.properties) && (
                <SchemaView
                  document={document}
                  schema={property.$ref || property.oneOf || property.anyOf || property.properties ? property : property.items!}
                  seen={seen}
                />
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
