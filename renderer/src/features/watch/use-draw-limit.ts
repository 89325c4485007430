/**
 * A grid tile draws at its size on screen, not the video's: the stage's size in device pixels
 * (kept up to date with a ResizeObserver) is the canvas surface's limit while `active`; otherwise
 * (a viewer alone, a focused tile) the picture's own size. Returns the stage's ref callback.
 */
import { useEffect, useState } from 'react';
import type { CanvasSurface } from './canvas-surface.js';

export function useDrawLimit(
  surface: CanvasSurface,
  active: boolean,
): (element: HTMLElement | null) => void {
  const [stage, setStage] = useState<HTMLElement | null>(null);
  useEffect(() => {
    if (!active || stage === null || typeof ResizeObserver === 'undefined') {
      surface.limit(0, 0);
      return undefined;
    }
    const fit = () => {
      const dpr = window.devicePixelRatio || 1;
      surface.limit(stage.clientWidth * dpr, stage.clientHeight * dpr);
    };
    fit();
    const ro = new ResizeObserver(fit);
    ro.observe(stage);
    return () => ro.disconnect();
  }, [surface, active, stage]);
  return setStage;
}
