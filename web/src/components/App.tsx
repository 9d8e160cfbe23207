import { useEffect, useState } from 'preact/hooks';
import { fetchViewer } from '../api/operations';
import { disconnect } from '../api/subscriptions';
import { clearKey, loadKey, saveKey } from '../lib/key';
import { useRoute } from '../lib/route';
import { Header } from './Header';
import { KeyForm } from './KeyForm';
import { RunPage } from './RunPage';
import { RunsPage } from './RunsPage';

type Session = { state: 'none'; notice?: string } | { state: 'checking'; key: string } | { state: 'ready'; key: string; workspace: string };

/** The dashboard: a key first, then the runs list or one run, by path. */
export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session>(() => {
    const stored = loadKey();
    return stored ? { state: 'checking', key: stored } : { state: 'none' };
  });

  // A key from an earlier visit of this tab is checked again: it may have been revoked, or the database reset.
  useEffect(() => {
    if (session.state !== 'checking') return;
    fetchViewer(session.key).then(
      (viewer) => setSession({ state: 'ready', key: session.key, workspace: viewer.workspace.name }),
      (failure: Error) => {
        clearKey();
        setSession({ state: 'none', notice: `The saved key no longer works: ${failure.message}` });
      },
    );
  }, [session]);

  function accept(key: string, workspace: string) {
    saveKey(key);
    setSession({ state: 'ready', key, workspace });
  }

  function forget() {
    clearKey();
    disconnect();
    setSession({ state: 'none' });
  }

  return (
    <>
      <Header inDashboard workspaceName={session.state === 'ready' ? session.workspace : null} onForgetKey={forget} />
      {session.state === 'none' && (
        <main>
          <KeyForm notice={session.notice} onAccepted={accept} />
        </main>
      )}
      {session.state === 'checking' && (
        <main aria-busy="true">
          <p class="hint">Checking the saved key…</p>
        </main>
      )}
      {session.state === 'ready' &&
        (route.view === 'run' ? <RunPage key={route.runId} apiKey={session.key} runId={route.runId} /> : <RunsPage apiKey={session.key} />)}
    </>
  );
}
