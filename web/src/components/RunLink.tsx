import type { ComponentChildren } from 'preact';
import { navigate } from '../lib/route';

/** A real link to a run (it can be opened in a new tab) that navigates in place on a plain click. */
export function RunLink({ runId, children, label }: { runId: string; children: ComponentChildren; label?: string }) {
  const href = `/runs/${encodeURIComponent(runId)}`;
  return (
    <a
      href={href}
      aria-label={label}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
