// What a command of `orders-sync` is; main.ts parses the arguments and runs it.
import type { Config } from '../config';
import type { Interruption } from './interrupt';
import { plain } from './stack-log';

export interface CommandArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

export interface Command {
  usage: string;
  summary: string;
  options?: Record<string, { type: 'string' | 'boolean'; description: string }>;
  /** Runs a Worker in this process: the only commands that may serve Prometheus metrics (METRICS_PORT). */
  runsWorker?: boolean;
  /** Handles Ctrl-C and SIGTERM itself (acceptance); main installs no handler of its own for it. */
  ownsInterrupts?: boolean;
  run(config: Config, args: CommandArgs, interruption: Interruption): Promise<number>;
}

/** Wrong arguments: main prints the message and the command's help, and exits 2. */
export class UsageError extends Error {}

/** Progress and notices on stderr; plain text unless stderr is a terminal (a redirected log gets no escapes). */
export const log = (line: string): void => console.error(`[orders-sync] ${process.stderr.isTTY ? line : plain(line)}`);
