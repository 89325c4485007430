/**
 * What both transports check around a call, written once: the channel is the contract's, the
 * arguments match its schema (before anything is sent), and the answer matches its result
 * schema (before the page trusts it). `answerer` names who answers in messages ("service", "app").
 */
import { z } from 'zod';
import {
  invoke as invokeSpecs,
  isInvokeChannel,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeResult,
} from '../../../electron/shared/contract.js';
import { transportError } from './errors.js';

/** The call's arguments as the contract parses them; throws BAD_ARGS. */
export function checkedArgs<C extends InvokeChannel>(
  channel: C,
  args: InvokeArgs<C>,
  answerer: string,
): unknown {
  if (!isInvokeChannel(channel))
    throw transportError(
      'BAD_ARGS',
      `"${String(channel)}" is not an operation the ${answerer} offers.`,
    );
  const parsed = invokeSpecs[channel].args.safeParse(args);
  if (!parsed.success)
    throw transportError(
      'BAD_ARGS',
      `Invalid input for ${channel}: ${z.prettifyError(parsed.error)}`,
    );
  return parsed.data;
}

/** The answer, parsed with the call's result schema; throws BAD_REPLY. */
export function checkedResult<C extends InvokeChannel>(
  channel: C,
  result: unknown,
  answerer: string,
): InvokeResult<C> {
  const parsed = invokeSpecs[channel].result.safeParse(result);
  if (!parsed.success)
    throw transportError(
      'BAD_REPLY',
      `The ${answerer}'s answer to "${channel}" did not match the contract.`,
      z.prettifyError(parsed.error),
    );
  return parsed.data as InvokeResult<C>;
}
