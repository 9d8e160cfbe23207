import { navigate } from '../lib/route';

interface Props {
  workspaceName: string | null;
  onForgetKey?(): void;
  /** On the dashboard the title navigates in place; elsewhere (the docs page) it is a plain link. */
  inDashboard?: boolean;
}

/** The page title, the workspace in use and the way out. */
export function Header({ workspaceName, onForgetKey, inDashboard = false }: Props) {
  return (
    <header class="header">
      <a
        class="brand"
        href="/"
        onClick={(event) => {
          if (!inDashboard) return;
          event.preventDefault();
          navigate('/');
        }}
      >
        Concord
      </a>
      <nav aria-label="Main">
        <a href="/">Runs</a>
        <a href="/docs">REST API docs</a>
        <a href="/graphql">GraphQL explorer</a>
      </nav>
      {workspaceName !== null && (
        <div class="session">
          <span>
            Workspace <strong>{workspaceName}</strong>
          </span>
          <button type="button" class="secondary" onClick={onForgetKey}>
            Forget key
          </button>
        </div>
      )}
    </header>
  );
}
