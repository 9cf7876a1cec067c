// Where the client-side commands connect: the configured services, or what `orders-sync start` runs locally.
import type { Config } from '../config';
import { temporalTarget, type MondayTarget, type TemporalTarget } from '../worker';

/** The fixed token of the local sandbox (it is not a secret). */
export const SANDBOX_TOKEN = 'sandbox-token';

export function temporalFor(config: Config): TemporalTarget {
  return temporalTarget(config, `127.0.0.1:${config.TEMPORAL_PORT}`);
}

/** The real Monday API when a token is configured, otherwise the sandbox that `start` runs. */
export function mondayFor(config: Config): MondayTarget {
  if (config.MONDAY_API_TOKEN) return { url: config.MONDAY_API_URL ?? 'https://api.monday.com/v2', token: config.MONDAY_API_TOKEN };
  return { url: `http://127.0.0.1:${config.SANDBOX_PORT}/v2`, token: SANDBOX_TOKEN };
}
