/** Says plainly when the page cannot reach its host, and what to do. */
import { useApi, useNow, useTransportStatus } from './api-context.js';
import { StatusBadge } from './status.js';

export function ServicesBadge() {
  const s = useTransportStatus();
  const api = useApi();
  if (api.transport === 'electron') return <StatusBadge status="ok">Desktop app</StatusBadge>;
  const [status, text] =
    s.state === 'open'
      ? (['ok', 'Service connected'] as const)
      : s.state === 'connecting' && s.attempt === 0
        ? (['busy', 'Reaching the service…'] as const)
        : ([
            'error',
            s.everConnected ? 'Service lost — reconnecting' : 'Service unreachable',
          ] as const);
  return (
    <StatusBadge status={status} data-testid="service-badge">
      {text}
    </StatusBadge>
  );
}

export function TransportBanner() {
  const api = useApi();
  const s = useTransportStatus();
  const waiting = s.state === 'waiting';
  const now = useNow(waiting, 500);
  if (s.state === 'open' || (s.state === 'connecting' && s.attempt === 0 && !s.everConnected))
    return null;

  if (s.fatal) {
    return (
      <div className="banner banner-error" role="alert" data-testid="transport-status">
        <strong>No service.</strong> {s.fatal}
      </div>
    );
  }
  const secs = s.retryAt === null ? null : Math.max(0, Math.ceil((s.retryAt - now) / 1000));
  const retry = waiting
    ? secs === 0 || secs === null
      ? ' Retrying now…'
      : ` Next try in ${secs} s.`
    : ' Trying now…';
  return (
    <div
      className="banner banner-warn"
      role="alert"
      aria-live="assertive"
      data-testid="transport-status"
    >
      <div>
        {s.everConnected ? (
          <>
            <strong>Lost connection to the Kafka Video Studio service — reconnecting…</strong>
            <span className="banner-detail">
              {retry} Viewers on this page stopped; start them again once the service is back.
            </span>
          </>
        ) : (
          <>
            <strong>Cannot reach the Kafka Video Studio service at {s.servicesLabel}.</strong>
            <span className="banner-detail">
              {retry} This page talks to Kafka through the service: start it with{' '}
              <code>npx kvs serve</code> and open the address it prints (
              <code>http://127.0.0.1:PORT/?token=…</code>).
            </span>
          </>
        )}
      </div>
      {waiting && (
        <button type="button" className="secondary" onClick={() => api.reconnectNow()}>
          Retry now
        </button>
      )}
    </div>
  );
}
