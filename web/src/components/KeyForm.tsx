import { useState } from 'preact/hooks';
import { fetchViewer } from '../api/operations';

interface Props {
  /** Why the form is shown again (an expired or revoked key), if it is. */
  notice?: string | null;
  onAccepted(key: string, workspaceName: string): void;
}

/** Asks for an API key and checks it against the server before keeping it. */
export function KeyForm({ notice, onAccepted }: Props) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) return;
    setBusy(true);
    setError(null);
    try {
      const viewer = await fetchViewer(trimmed);
      onAccepted(trimmed, viewer.workspace.name);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card key-form" onSubmit={submit}>
      <h2>Sign in with an API key</h2>
      <p class="hint">
        <code>npm start</code> prints a key on the first start of a fresh database. It is kept in this tab only (sessionStorage).
      </p>
      {notice && (
        <p class="error" role="alert">
          {notice}
        </p>
      )}
      <label for="api-key">API key</label>
      <div class="row">
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          placeholder="ck_…"
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
          required
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Use key'}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
