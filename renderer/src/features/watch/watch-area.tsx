/**
 * The Watch area: its viewers side by side (each in its own error boundary), and "Add viewer".
 * A stream a viewer's page cannot decode (WebCodecs said no to its codec) is asked of the service
 * instead: it decodes that stream to JPEG for that viewer (watch:fallback), and the viewer's note
 * follows the answer.
 */
import { useCallback, useRef, useState } from 'react';
import { useApi } from '../../shared/api-context.js';
import { FeatureBoundary } from '../../shared/error-boundary.js';
import type { UnsupportedCodecListener } from './viewer-renderer.js';
import { WatchPanel } from './watch-panel.js';

export function WatchArea() {
  const api = useApi();
  const [panels, setPanels] = useState<number[]>([0]);
  const nextKey = useRef(1);
  const decodeOnService = useCallback<UnsupportedCodecListener>(
    (viewerId, streamId, codec) => api.invoke('watch:fallback', { viewerId, streamId, codec }),
    [api],
  );
  return (
    <div className="watch-area">
      <div className="area-head">
        <h2 className="area-title">Watch</h2>
        <button
          type="button"
          className="secondary"
          data-testid="watch-add-viewer"
          onClick={() => setPanels((p) => [...p, nextKey.current++])}
        >
          Add viewer
        </button>
      </div>
      <div className="viewers">
        {panels.map((key, i) => (
          <FeatureBoundary key={key} name={`Viewer ${i + 1}`}>
            <WatchPanel
              index={i}
              onUnsupportedCodec={decodeOnService}
              onRemove={
                panels.length > 1 ? () => setPanels((p) => p.filter((k) => k !== key)) : undefined
              }
            />
          </FeatureBoundary>
        ))}
      </div>
    </div>
  );
}
