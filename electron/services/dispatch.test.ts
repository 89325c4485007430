/** dispatch (contract calls → handlers): never throws, parses arguments and results, errors as data. */
import { describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS } from '../shared/ipc-channels.js';
import { KvsError } from '../shared/errors.js';
import { dispatch, type Handlers } from './dispatch.js';

/** Handlers that answer as `answer` says (every channel), recording the calls. */
function handlers(answer: (channel: string, args: unknown) => unknown): {
  h: Handlers;
  calls: Array<[string, unknown]>;
} {
  const calls: Array<[string, unknown]> = [];
  const h = Object.fromEntries(
    INVOKE_CHANNELS.map((c) => [
      c,
      async (args: unknown) => {
        calls.push([c, args]);
        return answer(c, args);
      },
    ]),
  ) as unknown as Handlers;
  return { h, calls };
}

const status = {
  state: 'disconnected',
  bootstrap: null,
  clusterId: null,
  brokers: [],
  error: null,
};

describe('dispatch', () => {
  it('runs the handler with the parsed arguments and answers its parsed result', async () => {
    const { h, calls } = handlers(() => status);
    expect(await dispatch(h, 'connection:status', undefined, {}, false)).toEqual({
      ok: true,
      result: status,
    });
    expect(calls).toEqual([['connection:status', {}]]);
  });

  it('an unknown channel, bad arguments, or a shutting-down host: an error reply, the handler not run', async () => {
    const { h, calls } = handlers(() => status);
    expect(await dispatch(h, 'fs:read', {}, {}, false)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: 'Unknown call "fs:read".' },
    });
    expect(await dispatch(h, 'topics:delete', { topic: 7 }, {}, false)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
    expect(await dispatch(h, 'connection:status', {}, {}, true)).toMatchObject({
      ok: false,
      error: { code: 'CANCELLED' },
    });
    expect(calls).toEqual([]);
  });

  it('a result that does not match the contract is INTERNAL, not sent on', async () => {
    const { h } = handlers(() => ({ state: 'sideways' }));
    expect(await dispatch(h, 'connection:status', {}, {}, false)).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL' },
    });
  });

  it('a thrown KvsError keeps its code and detail; anything else is INTERNAL', async () => {
    const { h } = handlers((c) => {
      if (c === 'topics:list')
        throw new KvsError('TOPIC_NOT_FOUND', 'No such topic.', 'detail here');
      throw new TypeError('boom');
    });
    expect(await dispatch(h, 'topics:list', {}, {}, false)).toEqual({
      ok: false,
      error: { code: 'TOPIC_NOT_FOUND', message: 'No such topic.', detail: 'detail here' },
    });
    expect(await dispatch(h, 'connection:recent', {}, {}, false)).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL' },
    });
  });

  it('passes the caller (its client) to the handler', async () => {
    let seen: unknown = null;
    const h = handlers(() => status).h;
    (h as unknown as Record<string, unknown>)['connection:status'] = async (
      _a: unknown,
      ctx: unknown,
    ) => {
      seen = ctx;
      return status;
    };
    await dispatch(h, 'connection:status', {}, { client: 'page-1' }, false);
    expect(seen).toEqual({ client: 'page-1' });
  });
});
