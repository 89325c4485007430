/**
 * The page: the broker connection and the producer beside the video viewers and the
 * topic table. Each feature has its own error boundary. Around them: the transport (ApiProvider),
 * the one QueryClient for the page's reads (QueryProvider), the Kafka connection (KafkaProvider).
 *
 * "Set up a server" shows the setup wizard in place of the viewers and topics (the sidebar
 * stays). Once opened, the wizard stays mounted and is only hidden when closed, so a
 * running install and everything typed survive closing it.
 */
import { useRef, useState } from 'react';
import { FeatureBoundary } from './shared/error-boundary.js';
import { ApiProvider } from './shared/api-context.js';
import { KafkaProvider } from './shared/kafka-context.js';
import { QueryProvider } from './shared/queries.js';
import { ServicesBadge, TransportBanner } from './shared/transport-banner.js';
import { ConnectPanel } from './features/connect/connect-panel.js';
import { ProducePanel } from './features/produce/produce-panel.js';
import { SetupWizard } from './features/setup/setup-wizard.js';
import { TopicsPanel } from './features/topics/topics-panel.js';
import { WatchArea } from './features/watch/watch-area.js';
import type { KvsClient } from './transport/types.js';

export function App({ api }: { api: KvsClient }) {
  const [setupOpen, setSetupOpen] = useState(false);
  const [setupMounted, setSetupMounted] = useState(false);
  const openButton = useRef<HTMLButtonElement | null>(null);

  const openSetup = () => {
    setSetupMounted(true);
    setSetupOpen(true);
  };
  const closeSetup = () => {
    setSetupOpen(false);
    openButton.current?.focus();
  };

  return (
    <ApiProvider api={api}>
      <QueryProvider>
        <KafkaProvider>
          <div className="app">
            <header className="topbar">
              <h1>Kafka Video Studio</h1>
              <div className="topbar-actions">
                <button
                  ref={openButton}
                  type="button"
                  className="topbar-button"
                  data-testid="setup-open"
                  onClick={openSetup}
                >
                  Set up a server
                </button>
                <ServicesBadge />
              </div>
            </header>
            <TransportBanner />
            <div className="layout">
              <aside className="sidebar" aria-label="Connection and producer">
                <FeatureBoundary name="Kafka broker">
                  <ConnectPanel />
                </FeatureBoundary>
                <FeatureBoundary name="Produce a video">
                  <ProducePanel />
                </FeatureBoundary>
              </aside>
              <main className="content">
                {setupMounted && (
                  <div className="content-stack" hidden={!setupOpen}>
                    <FeatureBoundary name="Set up a server">
                      <SetupWizard open={setupOpen} onClose={closeSetup} />
                    </FeatureBoundary>
                  </div>
                )}
                <div className="content-stack" hidden={setupOpen}>
                  <FeatureBoundary name="Watch">
                    <WatchArea />
                  </FeatureBoundary>
                  <FeatureBoundary name="Topics">
                    <TopicsPanel />
                  </FeatureBoundary>
                </div>
              </main>
            </div>
          </div>
        </KafkaProvider>
      </QueryProvider>
    </ApiProvider>
  );
}
