import { useEffect, useState } from 'preact/hooks';
import { METHODS, operationAnchor, type OpenApiDocument, type Operation } from './openapi';
import { OperationView } from './OperationView';
import { InlineText } from './InlineText';
import { SchemaView } from './SchemaView';

interface Entry {
  method: string;
  path: string;
  operation: Operation;
}

/** Operations grouped by their first tag, in document order. */
function groups(document: OpenApiDocument): Array<[string, Entry[]]> {
  const byTag = new Map<string, Entry[]>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const tag = operation.tags?.[0] ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), { method, path, operation }]);
    }
  }
  return [...byTag];
}

/** The REST API reference, rendered from the server's own /v1/openapi.json, with nothing loaded from elsewhere. */
export function DocsApp() {
  const [document, setDocument] = useState<OpenApiDocument | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');

  useEffect(() => {
    fetch('/v1/openapi.json')
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(`The server answered ${response.status}.`))))
      .then(setDocument, (failure: Error) => setError(failure.message));
  }, []);

  // A link to one operation (/docs#get-v1-…) points at content that exists only once the document is rendered.
  useEffect(() => {
    if (document && window.location.hash) window.document.getElementById(window.location.hash.slice(1))?.scrollIntoView();
  }, [document]);

  if (error)
    return (
      <main>
        <p class="error" role="alert">
          Could not load /v1/openapi.json: {error}
        </p>
      </main>
    );
  if (!document)
    return (
      <main aria-busy="true">
        <p class="hint">Loading the OpenAPI document…</p>
      </main>
    );

  const needle = filter.trim().toLowerCase();
  const shown = groups(document)
    .map(
      ([tag, entries]) =>
        [
          tag,
          entries.filter(
            (entry) => !needle || `${entry.method} ${entry.path} ${entry.operation.summary ?? ''}`.toLowerCase().includes(needle),
          ),
        ] as const,
    )
    .filter(([, entries]) => entries.length > 0);
  const errorSchema = document.components?.schemas?.Error ? { $ref: '#/components/schemas/Error' } : null;

  return (
    <div class="docs">
      <nav class="docs-nav" aria-label="Operations">
        <label for="docs-filter">Filter routes</label>
        <input
          id="docs-filter"
          type="search"
          value={filter}
          onInput={(event) => setFilter(event.currentTarget.value)}
          placeholder="runs, POST, csv…"
        />
        {shown.map(([tag, entries]) => (
          <div key={tag}>
            <h2>{tag}</h2>
            <ul>
              {entries.map((entry) => (
                <li key={`${entry.method} ${entry.path}`}>
                  <a href={`#${operationAnchor(entry.method, entry.path)}`}>
                    <span class={`method method-${entry.method}`}>{entry.method.toUpperCase()}</span> {entry.path}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <main>
        <h1>
          {document.info.title}{' '}
          <span class="hint">
            {document.info.version} · OpenAPI {document.openapi}
          </span>
        </h1>
        {document.info.description && (
          <p>
            <InlineText text={document.info.description} />
          </p>
        )}
        <p>
          The raw document: <a href="/v1/openapi.json">/v1/openapi.json</a>. Send <code>Authorization: Bearer &lt;key&gt;</code> on every
          route unless it says otherwise.
        </p>
        {errorSchema && (
          <section class="card">
            <h2>Errors</h2>
            <p>Every error answers with this body:</p>
            <SchemaView document={document} schema={errorSchema} />
          </section>
        )}
        {shown.map(([tag, entries]) => (
          <section key={tag} aria-label={tag}>
            <h2>{tag}</h2>
            {entries.map((entry) => (
              <OperationView key={`${entry.method} ${entry.path}`} document={document} {...entry} />
            ))}
          </section>
        ))}
      </main>
    </div>
  );
}
