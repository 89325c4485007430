import { KvsError } from '../shared/errors.js';
import { streamNameProblem } from '../shared/stream-name.js';

/** `--stream-name`: checked by the shared rule; the raw format has no headers to carry it. */
export function streamNameOption(name: string | undefined, raw: boolean): { streamName?: string } {
  if (name === undefined) return {};
  if (raw)
    throw new KvsError(
      'INVALID_ARGUMENT',
      "--raw sends the tutorial's format, bare images without headers: it has no place for --stream-name. Drop one of them.",
    );
  const problem = streamNameProblem(name);
  if (problem !== null) throw new KvsError('INVALID_ARGUMENT', `--stream-name: ${problem}`);
  return { streamName: name.trim() };
}
