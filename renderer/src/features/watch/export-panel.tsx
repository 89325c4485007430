/**
 * PLACEHOLDER (being built): export a time range of the stream being watched to an MP4, with a
 * progress bar and Cancel. The watch panel mounts it under the timeline; `range` is the range
 * selected on the timeline (null: the whole topic).
 */
export interface ExportPanelProps {
  readonly topic: string;
  /** The stream being watched, when known (null: the first stream of the topic). */
  readonly streamId: string | null;
  /** ms since epoch, message time; null = the whole retained range. */
  readonly range: { readonly fromMs: number; readonly toMs: number } | null;
}

export function ExportPanel(_props: ExportPanelProps) {
  return null;
}
