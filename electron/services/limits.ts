/** The app services' limits, in one place. */

/** Limit for checking a broker on connect. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Events about progress and stats go out at most this often per job / viewer. */
export const STATS_INTERVAL_MS = 250;
export const MAX_VIEWERS = 16;
export const MAX_JOBS = 16;
/** How long disconnect/dispose waits for viewers and jobs to wind down. */
export const STOP_GRACE_MS = 10_000;

export const NOT_CONNECTED_MESSAGE = 'Connect to a broker first.';
