/**
 * Where the grid keeps what its tiles tell it: each tile's newest report and its handle, under the
 * tile's key, and one set of callbacks per tile that stays the same while the tile lives (the
 * tile's effects depend on them). The grid's timeline reads the tiles in their order.
 */
import type { TileReport } from './grid-timeline-logic.js';
import type { TileHandle } from './tile-link.js';

export interface TileCallbacks {
  onReport(r: TileReport): void;
  onHandle(h: TileHandle | null): void;
}

export class TileRegistry {
  private readonly reportOf = new Map<number, TileReport>();
  private readonly handleOf = new Map<number, TileHandle>();
  private readonly callbacks = new Map<number, TileCallbacks>();
  private order: readonly number[] = [];

  /** The tiles on screen, in order (the grid calls it after each layout change). */
  setTiles(keys: readonly number[]): void {
    this.order = keys;
    for (const k of [...this.callbacks.keys()]) if (!keys.includes(k)) this.callbacks.delete(k);
  }

  callbacksOf(key: number): TileCallbacks {
    let c = this.callbacks.get(key);
    if (c === undefined) {
      c = {
        onReport: (r) => this.reportOf.set(key, r),
        onHandle: (h) => {
          if (h !== null) this.handleOf.set(key, h);
          else {
            this.handleOf.delete(key);
            this.reportOf.delete(key);
          }
        },
      };
      this.callbacks.set(key, c);
    }
    return c;
  }

  reports = (): TileReport[] => this.order.flatMap((k) => this.reportOf.get(k) ?? []);

  handles = (): TileHandle[] => this.order.flatMap((k) => this.handleOf.get(k) ?? []);
}
