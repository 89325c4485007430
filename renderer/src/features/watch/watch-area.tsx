/**
 * The Watch area: a layout of 1, 2×2 or 3×3 tiles (grid-logic.ts), each a viewer of its own
 * (watch-panel.tsx, in its own error boundary) with its own topic and stream. A click or Enter on
 * a tile's picture focuses it (it fills the area; Escape, the same click or "Back to grid"
 * return). One timeline for the grid seeks every tile to the same moment (grid-timeline.tsx), or
 * each tile keeps its own. A tile removed by a smaller layout, or closed, stops its viewer on the
 * service (the panel's unmount detaches it: watch:stop).
 *
 * A stream a viewer's page cannot decode (WebCodecs said no to its codec) is asked of the service
 * instead: it decodes that stream to JPEG for that viewer (watch:fallback), and the viewer's note
 * follows the answer.
 */
import { useCallback, useEffect, useState, type KeyboardEvent } from 'react';
import { useApi } from '../../shared/api-context.js';
import { FeatureBoundary } from '../../shared/error-boundary.js';
import { CheckField, RadioGroup } from '../../shared/choice-fields.js';
import type { UnsupportedCodecListener } from './viewer-renderer.js';
import { WatchPanel } from './watch-panel.js';
import {
  columnsOf,
  initialGrid,
  LAYOUTS,
  layoutLabel,
  withFocus,
  withLayout,
  withTileReset,
  type Layout,
} from './grid-logic.js';
import { GridTimeline } from './grid-timeline.js';
import type { TileLink } from './tile-link.js';
import { TileRegistry } from './tile-registry.js';

type LayoutValue = '1' | '4' | '9';
const LAYOUT_OPTIONS = LAYOUTS.map((l) => ({
  value: String(l) as LayoutValue,
  label: layoutLabel(l),
  testId: `grid-layout-${l}`,
}));

export function WatchArea() {
  const api = useApi();
  const [grid, setGrid] = useState(() => initialGrid());
  const [together, setTogether] = useState(true);
  const decodeOnService = useCallback<UnsupportedCodecListener>(
    (viewerId, streamId, codec) => api.invoke('watch:fallback', { viewerId, streamId, codec }),
    [api],
  );

  const [registry] = useState(() => new TileRegistry());
  useEffect(() => registry.setTiles(grid.tiles), [registry, grid.tiles]);

  const setLayout = (layout: Layout) => {
    setGrid((g) => withLayout(g, layout));
  };
  const isGrid = grid.layout > 1;
  const focused = grid.focused;
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key === 'Escape' && focused !== null) {
      e.preventDefault();
      setGrid((g) => withFocus(g, null));
    }
  };

  return (
    <div className="watch-area" data-testid="watch-area" onKeyDown={onKeyDown}>
      <div className="area-head">
        <h2 className="area-title">Watch</h2>
        <div className="row wrap grid-controls">
          <span className="muted">Layout</span>
          <RadioGroup<LayoutValue>
            label="Layout of the watch area"
            value={String(grid.layout) as LayoutValue}
            onChange={(v) => setLayout(Number(v) as Layout)}
            options={LAYOUT_OPTIONS}
          />
          {isGrid && (
            <CheckField
              label="One timeline for all tiles"
              labelTitle="On: a seek, play or pause goes to every tile at the same moment (time-aligned replay). Off: each tile has its own timeline."
              data-testid="grid-timeline-together"
              checked={together}
              onChange={setTogether}
            />
          )}
        </div>
      </div>
      <div
        className={`viewers grid-${columnsOf(grid.layout)}${focused !== null ? ' grid-focused' : ''}`}
        data-testid="watch-grid"
        data-layout={grid.layout}
        data-focused={focused ?? ''}
      >
        {grid.tiles.map((key, i) => {
          const c = registry.callbacksOf(key);
          const link: TileLink | undefined = isGrid
            ? {
                index: i,
                focused: focused === key,
                ownTimeline: !together || focused === key,
                onFocus: () => setGrid((g) => withFocus(g, key)),
                onClose: () => setGrid((g) => withTileReset(g, key)),
                onReport: c.onReport,
                onHandle: c.onHandle,
              }
            : undefined;
          return (
            <div
              key={key}
              className="grid-cell"
              data-testid="grid-tile"
              data-tile={i}
              hidden={focused !== null && focused !== key}
            >
              <FeatureBoundary name={isGrid ? `Tile ${i + 1}` : `Viewer ${i + 1}`}>
                <WatchPanel index={i} onUnsupportedCodec={decodeOnService} tile={link} />
              </FeatureBoundary>
            </div>
          );
        })}
      </div>
      {isGrid && together && focused === null && (
        <GridTimeline reports={registry.reports} handles={registry.handles} />
      )}
    </div>
  );
}
