/**
 * Execution environments: one process tree per environment, serving one invocation at a time.
 *
 * <p>It owns starting environments ({@link dev.thaw.environments.EnvironmentLauncher}, the only place a process is
 * spawned), how a start waits for INIT to end ({@link dev.thaw.environments.InitWait}), their lifecycle
 * ({@link dev.thaw.environments.EnvironmentState}, an explicit state machine), the warm pool
 * ({@link dev.thaw.environments.EnvironmentPool}), their logs and the START/END/REPORT lines. An environment
 * does not care whether its process was started fresh or restored from a snapshot: both arrive as an
 * {@link dev.thaw.environments.EnvironmentProcess}.
 */
package dev.thaw.environments;
