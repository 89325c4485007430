/**
 * One row of a checklist with a coloured mark: the doctor's checks and the install's steps. The
 * colour comes from `tone` alone (the row carries `data-tone`, and check-row.css keys every colour
 * on it); `data-status` stays free for the row's own state, which tests read.
 */
import type { LiHTMLAttributes, ReactNode } from 'react';

/** ok: done or passed; busy: running now; error: failed; warning; idle: not yet; muted: skipped or cancelled. */
export type CheckTone = 'ok' | 'busy' | 'error' | 'warning' | 'idle' | 'muted';

export interface CheckRowProps extends Omit<LiHTMLAttributes<HTMLLIElement>, 'title'> {
  readonly tone: CheckTone;
  readonly title: ReactNode;
  /** The state in words, after the title ("Done", "Failed here", …). */
  readonly label: ReactNode;
  /** A last column (e.g. the time a check took). */
  readonly aside?: ReactNode;
  /** A line under the row. */
  readonly detail?: ReactNode;
  /** The row that matters most (the first failure): marked out. */
  readonly emphasis?: boolean;
}

export function CheckRow({
  tone,
  title,
  label,
  aside,
  detail,
  emphasis = false,
  className,
  ...rest
}: CheckRowProps) {
  return (
    <li
      {...rest}
      className={className === undefined ? 'check-row' : `check-row ${className}`}
      data-tone={tone}
      data-emphasis={emphasis ? 'true' : undefined}
    >
      <span className="check-row-icon" aria-hidden="true" />
      <span className="check-row-title">{title}</span>
      <span className="check-row-label">{label}</span>
      {aside}
      {detail !== undefined && detail !== null && detail !== '' && (
        <div className="check-row-detail">{detail}</div>
      )}
    </li>
  );
}
