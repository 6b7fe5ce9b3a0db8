// Error → exit code, as werf does it: 0 on success, 1 for any error, 128 + signal number when interrupted.
// Only src/cli/main.ts applies the result.
import { ChangesPlannedError, InterruptedError } from "../errors.js";

export const EXIT_SUCCESS = 0;
export const EXIT_FAILURE = 1;

const SIGNAL_NUMBERS: Readonly<Partial<Record<NodeJS.Signals, number>>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGTERM: 15,
};

/** 128 + the signal number: 130 for SIGINT, 143 for SIGTERM. Unknown signals count as plain failures. */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  const number = SIGNAL_NUMBERS[signal];
  return number === undefined ? EXIT_FAILURE : 128 + number;
}

/** werf's code for `plan --exit-code` when there are changes. */
export const EXIT_CHANGES_PLANNED = 2;

export function exitCodeFor(err: unknown): number {
  if (err instanceof ChangesPlannedError) return EXIT_CHANGES_PLANNED;
  if (err instanceof InterruptedError) {
    return exitCodeForSignal(err.signal);
  }
  return EXIT_FAILURE;
}
