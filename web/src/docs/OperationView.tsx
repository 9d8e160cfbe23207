import type { MediaType, OpenApiDocument, Operation, Response } from './openapi';
import { operationAnchor, resolve } from './openapi';
import { InlineText } from './InlineText';
import { ParametersTable } from './ParametersTable';
import { SchemaView } from './SchemaView';

function Content({ document, content }: { document: OpenApiDocument; content: Record<string, MediaType> }) {
  return (
    <>
      {Object.entries(content).map(([type, media]) => (
        <div key={type} class="media">
          <span class="media-type">{type}</span>
          {media.schema && <SchemaView document={document} schema={media.schema} />}
        </div>
      ))}
    </>
  );
}

interface Props {
  document: OpenApiDocument;
  method: string;
  path: string;
  operation: Operation;
}

/** One route: what it does, who may call it, its parameters, request body and responses. */
export function OperationView({ document, method, path, operation }: Props) {
  const body = operation.requestBody
    ? resolve<{ required?: boolean; description?: string; content?: Record<string, MediaType> }>(document, operation.requestBody)
    : null;
  const publicRoute = Array.isArray(operation.security) && operation.security.length === 0;
  return (
    <article class="operation" id={operationAnchor(method, path)} aria-labelledby={`${operationAnchor(method, path)}-title`}>
      <h3 id={`${operationAnchor(method, path)}-title`}>
        <span class={`method method-${method}`}>{method.toUpperCase()}</span> <code>{path}</code>
      </h3>
      {operation.summary && (
        <p class="summary">
          <InlineText text={operation.summary} />
        </p>
      )}
      {operation.description && (
        <p>
          <InlineText text={operation.description} />
        </p>
      )}
      {publicRoute && <p class="hint">No API key needed.</p>}
      <ParametersTable document={document} parameters={operation.parameters ?? []} />
      {body?.content && (
        <section>
          <h4>Request body{body.required ? ' (required)' : ''}</h4>
          {body.description && (
            <p>
              <InlineText text={body.description} />
            </p>
          )}
          <Content document={document} content={body.content} />
        </section>
      )}
      <section>
        <h4>Responses</h4>
        <dl class="responses">
          {Object.entries(operation.responses ?? {}).map(([status, raw]) => {
            const response = resolve<Response>(document, raw);
            return (
              <div key={status} class={`response response-${status.charAt(0)}`}>
                <dt>
                  <code>{status}</code>
                </dt>
                <dd>
                  <InlineText text={response.description} />
                  {/* Error bodies share one schema: shown once under "default", not under every status. */}
                  {response.content && status.startsWith('2') && <Content document={document} content={response.content} />}
                </dd>
              </div>
            );
          })}
        </dl>
      </section>
    </article>
  );
}
