/**
 * KvsClient over Electron's preload bridge (`window.kvsElectron`). The preload already
 * validates senders and channels; the page still parses args, results and events with the
 * contract, exactly as the browser transport does, so both transports behave the same.
 */
import { z } from 'zod';
import {
  events as eventSchemas,
  invoke as invokeSpecs,
  isInvokeChannel,
  type EventChannel,
  type EventPayload,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeResult,
} from '../../../electron/shared/contract.js';
import { transportError } from './errors.js';
import type { KvsClient, KvsElectronBridge, TransportStatus } from './types.js';

const OPEN: TransportStatus = {
  state: 'open',
  everConnected: true,
  attempt: 0,
  retryAt: null,
  hostLabel: 'the desktop app',
  fatal: null,
};

export class ElectronClient implements KvsClient {
  readonly transport = 'electron' as const;

  constructor(
    private readonly bridge: KvsElectronBridge,
    private readonly log: Pick<Console, 'warn' | 'error'> = console,
  ) {}

  async invoke<C extends InvokeChannel>(channel: C, args: InvokeArgs<C>): Promise<InvokeResult<C>> {
    if (!isInvokeChannel(channel))
      throw transportError('BAD_ARGS', `"${String(channel)}" is not an operation the app offers.`);
    const spec = invokeSpecs[channel];
    const parsedArgs = spec.args.safeParse(args);
    if (!parsedArgs.success)
      throw transportError(
        'BAD_ARGS',
        `Invalid input for ${channel}: ${z.prettifyError(parsedArgs.error)}`,
      );
    let raw: unknown;
    if (this.bridge.invoke)
      raw = await this.bridge.invoke(channel, parsedArgs.data as InvokeArgs<C>);
    else {
      const call = this.bridge.calls?.[channel];
      if (!call) throw transportError('BAD_ARGS', `The desktop app does not offer "${channel}".`);
      raw = await call(parsedArgs.data);
    }
    const parsed = spec.result.safeParse(raw);
    if (!parsed.success)
      throw transportError(
        'BAD_REPLY',
        `The app's answer to "${channel}" did not match the contract.`,
        z.prettifyError(parsed.error),
      );
    return parsed.data as InvokeResult<C>;
  }

  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void {
    const schema = eventSchemas[channel];
    return this.bridge.on(channel, (payload: unknown) => {
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        this.log.warn(`kvs: ignored an invalid "${channel}" event`, parsed.error.issues);
        return;
      }
      try {
        listener(parsed.data as EventPayload<C>);
      } catch (err) {
        this.log.error(`kvs: a "${channel}" listener failed`, err);
      }
    });
  }

  onFrame(viewerId: string, listener: (packet: ArrayBuffer) => void): () => void {
    return this.bridge.onFrame(viewerId, listener);
  }

  ackFrame(viewerId: string): void {
    this.bridge.ackFrame?.(viewerId);
  }

  getStatus(): TransportStatus {
    return OPEN;
  }

  onStatus(): () => void {
    return () => undefined;
  }

  reconnectNow(): void {}
}
