// Ctrl-C and SIGTERM for every command. The Temporal runtime installs its own handlers unless told not to
// (Runtime.install's `shutdownSignals`, default SIGINT/SIGTERM/SIGQUIT/SIGUSR2): they only shut down Workers, yet a
// listener on SIGINT turns off Node's default exit, so a command without a Worker (`sync --once`, `rollback`,
// `acceptance`'s waits) ignored Ctrl-C. main.ts installs the runtime with no shutdown signals and this module owns
// them: the first signal runs the command's stop steps (newest first, bounded) and says what is left in progress;
// a second one exits at once.

export interface Interruption {
  /** Aborted on the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** What the command leaves in progress when stopped, said on stopping (the latest call wins). */
  leaves(line: string | null): void;
  /** A step to run on stopping (stop a child process, drain a worker, close a connection); newest runs first. */
  onStop(step: () => Promise<void>): void;
  /** How long the stop steps may take together before the process exits anyway (a worker's drain needs its grace time). */
  allowStopFor(ms: number): void;
  /** The exit code after stopping: 130 (SIGINT) or 143 (SIGTERM) by default; a worker drained on request exits 0. */
  exitCodeOnStop(code: number | null): void;
}

export const DEFAULT_STOP_MS = 10_000;

export function handleInterrupts(log: (line: string) => void, exit: (code: number) => void = (code) => process.exit(code)): Interruption & { dispose(): void } {
  const controller = new AbortController();
  const steps: (() => Promise<void>)[] = [];
  let leftInProgress: string | null = null;
  let stopMs = DEFAULT_STOP_MS;
  let codeOnStop: number | null = null;
  let stopping = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      exit(signal === 'SIGINT' ? 130 : 143);
      return;
    }
    stopping = true;
    log(`${signal}: stopping${steps.length > 0 ? ' what this command started' : ''} ...`);
    controller.abort();
    const deadline = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), stopMs));
    const run = async () => {
      for (const step of steps.reverse()) await step().catch((err: unknown) => log(`while stopping: ${(err as Error).message}`));
      return 'done' as const;
    };
    void Promise.race([run(), deadline]).then((how) => {
      if (how === 'late') log(`stopping took longer than ${Math.round(stopMs / 1000)} s: exiting anyway`);
      if (leftInProgress) log(`left in progress: ${leftInProgress}`);
      exit(codeOnStop ?? (signal === 'SIGINT' ? 130 : 143));
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    leaves: (line) => { leftInProgress = line; },
    onStop: (step) => { steps.push(step); },
    allowStopFor: (ms) => { stopMs = Math.max(stopMs, ms); },
    exitCodeOnStop: (code) => { codeOnStop = code; },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** For a command that handles its signals itself: an interruption that never fires. */
export function ignoredInterrupts(): Interruption & { dispose(): void } {
  const noop = (): void => undefined;
  return { signal: new AbortController().signal, leaves: noop, onStop: noop, allowStopFor: noop, exitCodeOnStop: noop, dispose: noop };
}
