/**
 * The Watch area: its viewers side by side (each in its own error boundary), and "Add viewer".
 */
import { useRef, useState } from 'react';
import { FeatureBoundary } from '../../shared/error-boundary.js';
import { WatchPanel } from './watch-panel.js';

export function WatchArea() {
  const [panels, setPanels] = useState<number[]>([0]);
  const nextKey = useRef(1);
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
