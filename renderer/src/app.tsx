/**
 * The page: the broker connection and the producer beside the video viewers and the
 * topic table. Each feature has its own error boundary.
 */
import { FeatureBoundary } from './shared/error-boundary.js';
import { ApiProvider } from './shared/api-context.js';
import { KafkaProvider } from './shared/kafka-context.js';
import { HostBadge, TransportBanner } from './shared/transport-banner.js';
import { ConnectPanel } from './features/connect/connect-panel.js';
import { ProducePanel } from './features/produce/produce-panel.js';
import { TopicsPanel } from './features/topics/topics-panel.js';
import { WatchArea } from './features/watch/watch-panel.js';
import type { KvsClient } from './transport/types.js';

export function App({ api }: { api: KvsClient }) {
  return (
    <ApiProvider api={api}>
      <KafkaProvider>
        <div className="app">
          <header className="topbar">
            <h1>Kafka Video Studio</h1>
            <HostBadge />
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
              <FeatureBoundary name="Watch">
                <WatchArea />
              </FeatureBoundary>
              <FeatureBoundary name="Topics">
                <TopicsPanel />
              </FeatureBoundary>
            </main>
          </div>
        </div>
      </KafkaProvider>
    </ApiProvider>
  );
}
