/**
 * How something stands, in one look: a coloured dot, a headline and lines under it (`Status`),
 * or a pill in the top bar (`StatusBadge`). The colour comes from `status` alone: the element
 * carries `data-status`, and status.css keys every colour on it.
 */
import type { HTMLAttributes, ReactNode } from 'react';

export type StatusKind = 'ok' | 'busy' | 'error' | 'idle';

export interface StatusProps extends Omit<HTMLAttributes<HTMLDivElement>, 'title'> {
  readonly status: StatusKind;
  readonly headline: ReactNode;
  /** Plain lines under the headline (each must differ: it is its own key). */
  readonly lines?: readonly string[];
  /** More lines after those, as StatusLine elements (for a line with its own test id). */
  readonly children?: ReactNode;
}

/** A status box; `role="status"` unless told otherwise, other attributes go to the box. */
export function Status({
  status,
  headline,
  lines = [],
  children,
  className,
  role = 'status',
  ...rest
}: StatusProps) {
  return (
    <div
      {...rest}
      role={role}
      className={className === undefined ? 'status' : `status ${className}`}
      data-status={status}
    >
      <span className="status-dot" aria-hidden="true" />
      <div>
        <strong>{headline}</strong>
        {lines.map((l) => (
          <StatusLine key={l}>{l}</StatusLine>
        ))}
        {children}
      </div>
    </div>
  );
}

/** One line under a status headline. */
export function StatusLine(props: HTMLAttributes<HTMLDivElement>) {
  return <div {...props} className="status-line" />;
}

/** The same colours as a pill (the top bar's service badge). */
export function StatusBadge({
  status,
  children,
  ...rest
}: HTMLAttributes<HTMLSpanElement> & { readonly status: Exclude<StatusKind, 'idle'> }) {
  return (
    <span {...rest} className="badge" data-status={status}>
      {children}
    </span>
  );
}
