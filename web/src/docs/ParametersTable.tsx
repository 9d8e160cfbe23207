import type { OpenApiDocument, Parameter } from './openapi';
import { refName, resolve } from './openapi';
import { InlineText } from './InlineText';

/** Path, query and header parameters of one operation. */
export function ParametersTable({ document, parameters }: { document: OpenApiDocument; parameters: Array<Parameter | { $ref: string }> }) {
  const resolved = parameters.map((parameter) => resolve<Parameter>(document, parameter));
  if (resolved.length === 0) return null;
  return (
    <table class="parameters">
      <caption>Parameters</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">In</th>
          <th scope="col">Type</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {resolved.map((parameter) => {
          const schema = parameter.schema ?? {};
          const type = schema.$ref
            ? refName(schema.$ref)
            : [schema.type, schema.enum ? `(${schema.enum.join(' | ')})` : ''].filter(Boolean).join(' ');
          const bounds = [
            schema.minimum !== undefined ? `≥ ${schema.minimum}` : '',
            schema.maximum !== undefined ? `≤ ${schema.maximum}` : '',
            schema.default !== undefined ? `default ${JSON.stringify(schema.default)}` : '',
          ].filter(Boolean);
          return (
            <tr key={`${parameter.in}-${parameter.name}`}>
              <th scope="row">
                <code>{parameter.name}</code>
                {parameter.required && (
                  <span class="required" title="required">
                    *
                  </span>
                )}
              </th>
              <td>{parameter.in}</td>
              <td>
                <code>{type || 'any'}</code> {bounds.length > 0 && <span class="hint">{bounds.join('; ')}</span>}
              </td>
              <td>
                <InlineText text={parameter.description} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
