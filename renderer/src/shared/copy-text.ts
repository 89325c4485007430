/**
 * Copy a text to the clipboard; where the page may not (no clipboard API, permission refused),
 * select the element showing it instead so the person can press Ctrl+C. Never throws.
 */
export async function copyOrSelect(
  text: string,
  shownIn: HTMLElement | null,
): Promise<'copied' | 'selected'> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return 'copied';
    }
  } catch {
    // fall through to selecting it
  }
  const sel = window.getSelection();
  if (shownIn && sel) {
    const range = document.createRange();
    range.selectNodeContents(shownIn);
    sel.removeAllRanges();
    sel.addRange(range);
  }
  return 'selected';
}
