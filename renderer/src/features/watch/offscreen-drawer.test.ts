import { describe, expect, it } from 'vitest';
import {
  fitWithin,
  OffscreenDrawer,
  type DrawCanvas,
  type DrawContext,
  type FromDrawer,
  type WorkerPicture,
} from './offscreen-drawer.js';

class Pic implements WorkerPicture {
  closes = 0;
  constructor(
    readonly id: string,
    readonly width: number,
    readonly height: number,
  ) {}
  close() {
    this.closes++;
  }
}

class Frame implements WorkerPicture {
  closes = 0;
  constructor(
    readonly displayWidth: number,
    readonly displayHeight: number,
  ) {}
  close() {
    this.closes++;
  }
}

class Canvas implements DrawCanvas {
  width = 300;
  height = 150;
  drawn: Array<{ picture: unknown; w: number; h: number }> = [];
  cleared = 0;
  fail = false;
  getContext(): DrawContext {
    return {
      drawImage: (picture: unknown, _x: number, _y: number, w: number, h: number) => {
        if (this.fail) throw new Error('draw failed');
        this.drawn.push({ picture, w, h });
      },
      clearRect: () => {
        this.cleared++;
      },
    };
  }
}

function setup() {
  const tasks: Array<() => void> = [];
  const reports: FromDrawer[] = [];
  const drawer = new OffscreenDrawer(
    (t) => tasks.push(t),
    (m) => reports.push(m),
  );
  const run = () => {
    while (tasks.length > 0) tasks.shift()?.();
  };
  return { drawer, tasks, reports, run };
}

describe('OffscreenDrawer (the drawing worker)', () => {
  it('draws a picture in a later task, resizing the canvas to it, and closes it once', () => {
    const { drawer, run } = setup();
    const canvas = new Canvas();
    drawer.handle({ kind: 'canvas', canvas });
    const p = new Pic('a', 1280, 720);
    drawer.handle({ kind: 'draw', picture: p });
    expect(canvas.drawn).toHaveLength(0);
    run();
    expect(canvas.drawn).toEqual([{ picture: p, w: 1280, h: 720 }]);
    expect([canvas.width, canvas.height]).toEqual([1280, 720]);
    expect(p.closes).toBe(1);
    expect(drawer.counts).toEqual({ drawn: 1, replaced: 0, failed: 0 });
  });

  it('sizes a video frame by its display size', () => {
    const { drawer, run } = setup();
    const canvas = new Canvas();
    drawer.handle({ kind: 'canvas', canvas });
    const f = new Frame(1920, 1080);
    drawer.handle({ kind: 'draw', picture: f });
    run();
    expect([canvas.width, canvas.height]).toEqual([1920, 1080]);
    expect(f.closes).toBe(1);
  });

  it('newest wins when it falls behind: pictures waiting before the draw replace each other, each closed once', () => {
    const { drawer, run, tasks } = setup();
    const canvas = new Canvas();
    drawer.handle({ kind: 'canvas', canvas });
    const pics = [new Pic('a', 4, 4), new Pic('b', 4, 4), new Pic('c', 4, 4)];
    for (const picture of pics) drawer.handle({ kind: 'draw', picture });
    expect(tasks).toHaveLength(1);
    run();
    expect(canvas.drawn.map((d) => (d.picture as Pic).id)).toEqual(['c']);
    expect(pics.map((p) => p.closes)).toEqual([1, 1, 1]);
    expect(drawer.counts).toEqual({ drawn: 1, replaced: 2, failed: 0 });
  });

  it('a picture that comes before the canvas waits for it', () => {
    const { drawer, run } = setup();
    const p = new Pic('a', 8, 8);
    drawer.handle({ kind: 'draw', picture: p });
    run();
    expect(p.closes).toBe(0);
    const canvas = new Canvas();
    drawer.handle({ kind: 'canvas', canvas });
    run();
    expect(canvas.drawn).toHaveLength(1);
    expect(p.closes).toBe(1);
  });

  it('clear: a picture not drawn yet is closed, not drawn, and the canvas is cleared', () => {
    const { drawer, run } = setup();
    const canvas = new Canvas();
    drawer.handle({ kind: 'canvas', canvas });
    const p = new Pic('a', 8, 8);
    drawer.handle({ kind: 'draw', picture: p });
    drawer.handle({ kind: 'clear' });
    run();
    expect(canvas.drawn).toHaveLength(0);
    expect(canvas.cleared).toBe(1);
    expect(p.closes).toBe(1);
  });

  it('a failing draw closes the picture, counts it and says so once', () => {
    const { drawer, run, reports } = setup();
    const canvas = new Canvas();
    canvas.fail = true;
    drawer.handle({ kind: 'canvas', canvas });
    const pics = [new Pic('a', 8, 8), new Pic('b', 8, 8)];
    for (const picture of pics) {
      drawer.handle({ kind: 'draw', picture });
      run();
    }
    expect(pics.map((p) => p.closes)).toEqual([1, 1]);
    expect(drawer.counts.failed).toBe(2);
    expect(reports).toEqual([{ kind: 'failed', message: 'draw failed' }]);
  });

  it('draws no larger than its limit (a grid tile), keeping the shape; 0 × 0 lifts it', () => {
    const { drawer, run } = setup();
    const canvas = new Canvas();
    drawer.handle({ kind: 'canvas', canvas });
    drawer.handle({ kind: 'limit', width: 640, height: 640 });
    const a = new Frame(1280, 720);
    drawer.handle({ kind: 'draw', picture: a });
    run();
    expect(canvas.drawn.at(-1)).toMatchObject({ w: 640, h: 360 });
    expect([canvas.width, canvas.height]).toEqual([640, 360]);
    expect(a.closes).toBe(1);
    drawer.handle({ kind: 'limit', width: 0, height: 0 });
    drawer.handle({ kind: 'draw', picture: new Frame(1280, 720) });
    run();
    expect([canvas.width, canvas.height]).toEqual([1280, 720]);
  });
});

describe('fitWithin', () => {
  it('scales down only, keeping the shape', () => {
    expect(fitWithin(1280, 720, { width: 420, height: 400 })).toEqual({ width: 420, height: 236 });
    expect(fitWithin(1280, 720, { width: 2000, height: 2000 })).toEqual({
      width: 1280,
      height: 720,
    });
    expect(fitWithin(1280, 720, null)).toEqual({ width: 1280, height: 720 });
    expect(fitWithin(1280, 720, { width: 0, height: 0 })).toEqual({ width: 1280, height: 720 });
    expect(fitWithin(1280, 720, { width: 1, height: 1 })).toEqual({ width: 1, height: 1 });
  });
});
