/**
 * Contract calls to the app services' services: check the channel, parse the arguments with the
 * contract's zod schema, run the handler, parse its result before it leaves, and answer
 * `{ ok: true, result }` or `{ ok: false, error }`. Never throws.
 */
import type { z } from 'zod';
import {
  invoke,
  isInvokeChannel,
  type InvokeChannel,
  type InvokeReply,
  type InvokeResult,
} from '../shared/contract.js';
import type { KvsError } from '../shared/errors.js';
import { errorPayload } from './error-payload.js';
import type { CallContext } from './app-services.js';

export type Args<C extends InvokeChannel> = z.output<(typeof invoke)[C]['args']>;
/** One handler per contract call. */
export type Handlers = {
  [C in InvokeChannel]: (args: Args<C>, ctx: CallContext) => Promise<InvokeResult<C>>;
};

function fail(code: KvsError['code'], message: string): InvokeReply {
  return { ok: false, error: { code, message } };
}

/** One plain sentence from a zod error: which argument, what is wrong. */
function describeIssues(channel: string, error: z.ZodError): string {
  let issue = error.issues[0];
  // A union (connect by settings or by profile): the branch that came closest says what is wrong.
  while (issue?.code === 'invalid_union') {
    const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0]?.[0];
    if (closest === undefined) break;
    issue = closest;
  }
  if (!issue) return `The arguments for ${channel} are not valid.`;
  const where = issue.path.length > 0 ? `"${issue.path.map(String).join('.')}"` : 'the arguments';
  const more =
    error.issues.length > 1
      ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})`
      : '';
  return `Invalid ${where} for ${channel}: ${issue.message}${more}.`;
}

function safeName(channel: unknown): string {
  return typeof channel === 'string' ? JSON.stringify(channel.slice(0, 64)) : `a ${typeof channel}`;
}

export async function dispatch(
  handlers: Handlers,
  channel: string,
  rawArgs: unknown,
  ctx: CallContext,
  disposed: boolean,
): Promise<InvokeReply> {
  try {
    if (!isInvokeChannel(channel))
      return fail('INVALID_ARGUMENT', `Unknown call ${safeName(channel)}.`);
    if (disposed) return fail('CANCELLED', 'The app is shutting down.');
    const spec = invoke[channel];
    let parsed;
    try {
      parsed = spec.args.safeParse(rawArgs === undefined ? {} : rawArgs);
    } catch {
      return fail('INVALID_ARGUMENT', `The arguments for ${channel} could not be read.`);
    }
    if (!parsed.success) return fail('INVALID_ARGUMENT', describeIssues(channel, parsed.error));
    const run = handlers[channel] as (args: unknown, ctx: CallContext) => Promise<unknown>;
    const result = await run(parsed.data, ctx);
    const checked = spec.result.safeParse(result);
    if (!checked.success)
      return fail(
        'INTERNAL',
        `The answer to ${channel} did not match the contract: ${describeIssues(channel, checked.error)}`,
      );
    return { ok: true, result: checked.data };
  } catch (e) {
    return { ok: false, error: errorPayload(e) };
  }
}
