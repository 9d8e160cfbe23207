/**
 * Descriptions in the OpenAPI document use Markdown code spans (`read`, `X-RateLimit-*`); those become <code>, the
 * rest stays text. Nothing is parsed as HTML, so the document cannot inject markup.
 */
export function InlineText({ text }: { text: string | undefined }) {
  if (!text) return null;
  return (
    <>
      {text
        .split(/(`[^`]+`)/)
        .map((part, index) =>
          part.length > 2 && part.startsWith('`') && part.endsWith('`') ? <code key={index}>{part.slice(1, -1)}</code> : part,
        )}
    </>
  );
}
