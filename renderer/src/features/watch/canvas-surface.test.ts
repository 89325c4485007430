import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('./draw-worker-start.js', () => ({ startDrawWorker: () => null }));

const { CanvasSurface } = await import('./canvas-surface.js');

/** Like an ImageBitmap: 0×0 once closed or transferred. */
class FakeBitmap {
  closes = 0;
  detached = false;
  constructor(
    readonly id: string,
    private readonly w = 64,
    private readonly h = 36,
  ) {}
  get width() {
    return this.detached || this.closes > 0 ? 0 : this.w;
  }
  get height() {
    return this.detached || this.closes > 0 ? 0 : this.h;
  }
  close() {
    if (!this.detached) this.closes++;
  }
}

class FakeFrame {
  static made: FakeFrame[] = [];
  closes = 0;
  constructor(
    readonly id: string,
    readonly displayWidth = 64,
    readonly displayHeight = 36,
  ) {
    FakeFrame.made.push(this);
  }
  clone() {
    return new FakeFrame(`${this.id}'`, this.displayWidth, this.displayHeight);
  }
  close() {
    this.closes++;
  }
}

class FakeCanvas {
  dataset: Record<string, string> = {};
  width = 640;
  height = 360;
  transferred = 0;
  drawn: unknown[] = [];
  getContext() {
    return {
      drawImage: (p: unknown) => this.drawn.push(p),
      clearRect: () => undefined,
    };
  }
  transferControlToOffscreen() {
    this.transferred++;
    return { offscreen: true };
  }
}

class FakeWorker {
  sent: Array<{ message: { kind: string; picture?: unknown }; transfer: unknown[] }> = [];
  terminated = false;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: ((e: { preventDefault(): void }) => void) | null = null;
  postMessage(message: { kind: string }, transfer: unknown[]) {
    for (const t of transfer) if (t instanceof FakeBitmap) t.detached = true;
    this.sent.push({ message, transfer });
  }
  terminate() {
    this.terminated = true;
  }
  ready() {
    this.onmessage?.({ data: { kind: 'ready' } });
  }
}

beforeEach(() => {
  FakeFrame.made = [];
  vi.useFakeTimers();
  vi.stubGlobal('ImageBitmap', FakeBitmap);
  vi.stubGlobal('VideoFrame', FakeFrame);
  // a transfer moves the picture: a new object with the same id, the old one detached
  vi.stubGlobal('structuredClone', (v: FakeBitmap) => {
    v.detached = true;
    return new FakeBitmap(v.id);
  });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function withWorker() {
  const worker = new FakeWorker();
  const starts: FakeWorker[] = [];
  const surface = new CanvasSurface({
    startWorker: () => {
      const w = starts.length === 0 ? worker : new FakeWorker();
      starts.push(w);
      return w as unknown as Worker;
    },
  });
  const canvas = new FakeCanvas();
  surface.attach(canvas as unknown as HTMLCanvasElement);
  return { surface, worker, canvas, starts };
}

const kinds = (w: FakeWorker) => w.sent.map((s) => s.message.kind);

describe('CanvasSurface', () => {
  it('without a worker draws on the main thread with a 2D context, resizing the canvas', () => {
    const surface = new CanvasSurface({ startWorker: () => null });
    const canvas = new FakeCanvas();
    surface.attach(canvas as unknown as HTMLCanvasElement);
    expect(surface.drawsIn).toBe('main');
    const b = new FakeBitmap('a', 1280, 720);
    surface.draw(b as unknown as ImageBitmap);
    expect(canvas.drawn).toEqual([b]);
    expect([canvas.width, canvas.height]).toEqual([1280, 720]);
    expect(canvas.transferred).toBe(0);
  });

  it('hands the canvas to the worker once it is ready, with the newest picture that came meanwhile', () => {
    const { surface, worker, canvas } = withWorker();
    expect(surface.drawsIn).toBe('starting');
    const a = new FakeBitmap('a');
    const b = new FakeBitmap('b');
    surface.draw(a as unknown as ImageBitmap);
    a.close(); // the caller closes what it passed (a no-op: it was moved)
    surface.draw(b as unknown as ImageBitmap);
    b.close();
    expect(worker.sent).toHaveLength(0);
    expect(canvas.transferred).toBe(0);
    worker.ready();
    expect(surface.drawsIn).toBe('worker');
    expect(canvas.dataset['drawsIn']).toBe('worker');
    expect(canvas.transferred).toBe(1);
    expect(kinds(worker)).toEqual(['canvas', 'draw']);
    const sent = worker.sent[1]?.message.picture as FakeBitmap;
    expect(sent.id).toBe('b');
    expect(worker.sent[1]?.transfer).toEqual([sent]);
    // the moved copies: the older one closed here when replaced, the sent one is the worker's
    expect(a.closes + b.closes).toBe(0);
    expect(canvas.drawn).toHaveLength(0);
  });

  it('transfers each ImageBitmap to the worker (the caller’s close then does nothing) and reads no pixels here', () => {
    const { surface, worker } = withWorker();
    worker.ready();
    const b = new FakeBitmap('a');
    surface.draw(b as unknown as ImageBitmap);
    b.close();
    expect(kinds(worker)).toEqual(['canvas', 'draw']);
    expect(worker.sent[1]?.transfer).toEqual([b]);
    expect(b.closes).toBe(0);
  });

  it('sends a clone of a VideoFrame, so the caller still reads and closes its own', () => {
    const { surface, worker } = withWorker();
    worker.ready();
    const f = new FakeFrame('f');
    surface.drawVideoFrame(f as unknown as VideoFrame);
    const sent = worker.sent[1]?.message.picture as FakeFrame;
    expect(sent).not.toBe(f);
    expect(sent.id).toBe("f'");
    expect(worker.sent[1]?.transfer).toEqual([sent]);
    expect(f.closes).toBe(0);
    expect(f.displayWidth).toBe(64);
  });

  it('a frame held while the worker starts is closed when a newer one replaces it, or on clear', () => {
    const { surface, worker } = withWorker();
    surface.drawVideoFrame(new FakeFrame('1') as unknown as VideoFrame);
    surface.drawVideoFrame(new FakeFrame('2') as unknown as VideoFrame);
    const [, c1, , c2] = FakeFrame.made;
    expect(c1?.closes).toBe(1);
    expect(c2?.closes).toBe(0);
    surface.clear();
    expect(c2?.closes).toBe(1);
    worker.ready();
    expect(kinds(worker)).toEqual(['canvas']);
  });

  it('falls back to drawing here when the worker fails or does not answer in time; the canvas was never handed over', () => {
    const { surface, worker, canvas } = withWorker();
    const b = new FakeBitmap('a');
    surface.draw(b as unknown as ImageBitmap);
    worker.onerror?.({ preventDefault: () => undefined });
    expect(surface.drawsIn).toBe('main');
    expect(canvas.dataset['drawsIn']).toBe('main');
    expect(worker.terminated).toBe(true);
    expect(canvas.transferred).toBe(0);
    expect(canvas.drawn.map((p) => (p as FakeBitmap).id)).toEqual(['a']);
    expect((canvas.drawn[0] as FakeBitmap).closes).toBe(1);

    const late = withWorker();
    vi.advanceTimersByTime(3000);
    expect(late.surface.drawsIn).toBe('main');
    expect(late.worker.terminated).toBe(true);
    late.worker.ready(); // too late: ignored
    expect(late.canvas.transferred).toBe(0);
  });

  it('keeps its worker when React hands the same canvas back at once (StrictMode); ends it when the canvas goes', () => {
    const { surface, worker, canvas, starts } = withWorker();
    worker.ready();
    surface.attach(null);
    surface.attach(canvas as unknown as HTMLCanvasElement);
    vi.runAllTimers();
    expect(worker.terminated).toBe(false);
    expect(starts).toHaveLength(1);
    expect(surface.drawsIn).toBe('worker');
    surface.attach(null);
    vi.runAllTimers();
    expect(worker.terminated).toBe(true);
    expect(surface.drawsIn).toBe('none');
  });

  it('clear: the worker clears its canvas', () => {
    const { surface, worker } = withWorker();
    worker.ready();
    surface.clear();
    expect(kinds(worker)).toEqual(['canvas', 'clear']);
  });
});
