/**
 * Clean-ups that must run however the benchmark ends: normally (through the returned function, in a
 * `finally`), or by Ctrl-C / SIGTERM, which would otherwise leave a server or a database behind.
 */

type Cleanup = () => Promise<void>;

const registered = new Set<Cleanup>();
let signalsHooked = false;
let interrupted = false;

/** Whether a signal is tearing the run down (errors from then on are its echo, not findings). */
export const isInterrupted = (): boolean => interrupted;

/** Registers a clean-up and returns a run-once function that performs and unregisters it. */
export function registerCleanup(cleanup: Cleanup): Cleanup {
  hookSignals();
  let done: Promise<void> | undefined;
  const runOnce: Cleanup = () => {
    registered.delete(runOnce);
    done ??= cleanup();
    return done;
  };
  registered.add(runOnce);
  return runOnce;
}

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // Kept (not `once`): tsx relays the terminal's Ctrl-C a second time, which must not kill the clean-up.
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      console.error(`\n${signal}: cleaning up before exit...`);
      void runAll().finally(() => process.exit(130));
    });
  }
}

async function runAll(): Promise<void> {
  // Newest first: a database is dropped before the server it lives on is stopped.
  for (const cleanup of [...registered].reverse()) {
    await cleanup().catch((error: unknown) => console.error(`clean-up failed: ${String(error)}`));
  }
}
