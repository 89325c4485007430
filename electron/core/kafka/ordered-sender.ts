/**
 * Sends messages to one partition-keyed stream in order, batching adaptively:
 * while one send is in flight, new messages queue up; when it completes, the
 * whole queue (up to the topic's batch size limit) goes out as one record batch.
 * At 30 fps this sends each frame at once (lowest latency); at max rate it
 * batches, so throughput is not bound by one round trip per frame. Exactly one
 * send is in flight, so frames are never reordered by retries.
 */
import type { OutgoingMessage } from './wire-format.js';
import { RECORD_BATCH_OVERHEAD, messageOverheadBytes } from './wire-format.js';

export interface SendFn {
  (messages: OutgoingMessage[]): Promise<void>;
}

export interface SenderCallbacks {
  onAcked(messages: readonly OutgoingMessage[]): void;
  onFailed(messages: readonly OutgoingMessage[], error: unknown): void;
}

export interface OrderedSenderOptions {
  /** Largest record batch the topic accepts (max.message.bytes). */
  readonly maxBatchBytes: number;
  /** Most messages in one batch. */
  readonly maxBatchMessages?: number;
  /** Queue bound: enqueue() waits while this many bytes are waiting (backpressure). */
  readonly maxQueuedBytes?: number;
  readonly maxQueuedMessages?: number;
}

interface Queued {
  readonly msg: OutgoingMessage;
  readonly size: number;
}

export function messageBytes(msg: OutgoingMessage): number {
  return msg.value.length + messageOverheadBytes(msg);
}

export class OrderedSender {
  private readonly queue: Queued[] = [];
  private queuedBytes = 0;
  private inFlight: Promise<void> | null = null;
  private waiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private readonly maxBatchMessages: number;
  private readonly maxQueuedBytes: number;
  private readonly maxQueuedMessages: number;
  /** Largest number of messages sent in one batch so far (for the benchmark's notes). */
  largestBatch = 0;
  batches = 0;

  constructor(
    private readonly send: SendFn,
    private readonly callbacks: SenderCallbacks,
    private readonly opts: OrderedSenderOptions,
  ) {
    this.maxBatchMessages = opts.maxBatchMessages ?? 500;
    this.maxQueuedBytes = opts.maxQueuedBytes ?? 32 * 1024 * 1024;
    this.maxQueuedMessages = opts.maxQueuedMessages ?? 240;
  }

  get pending(): number {
    return this.queue.length + (this.inFlight ? 1 : 0);
  }

  /** Queue a message; resolves once there is room for another (backpressure). */
  async enqueue(msg: OutgoingMessage): Promise<void> {
    const size = messageBytes(msg);
    this.queue.push({ msg, size });
    this.queuedBytes += size;
    this.pump();
    while (this.queuedBytes > this.maxQueuedBytes || this.queue.length > this.maxQueuedMessages) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Resolves when everything queued has been acknowledged or has failed. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  private takeBatch(): Queued[] {
    const batch: Queued[] = [];
    let bytes = RECORD_BATCH_OVERHEAD;
    while (this.queue.length > 0 && batch.length < this.maxBatchMessages) {
      const next = this.queue[0] as Queued;
      if (batch.length > 0 && bytes + next.size > this.opts.maxBatchBytes) break;
      batch.push(next);
      bytes += next.size;
      this.queue.shift();
      this.queuedBytes -= next.size;
    }
    return batch;
  }

  private pump(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.takeBatch();
    const messages = batch.map((q) => q.msg);
    this.largestBatch = Math.max(this.largestBatch, messages.length);
    this.batches++;
    this.wake(this.waiters);
    this.inFlight = this.send(messages).then(
      () => this.callbacks.onAcked(messages),
      (err: unknown) => this.callbacks.onFailed(messages, err),
    );
    void this.inFlight.finally(() => {
      this.inFlight = null;
      this.pump();
      if (!this.inFlight && this.queue.length === 0) this.wake(this.idleWaiters);
      this.wake(this.waiters);
    });
  }

  private wake(list: Array<() => void>): void {
    const ws = list.splice(0, list.length);
    for (const w of ws) w();
  }
}
