/**
 * Asynchronous (Event) invocations: accepting them durably, delivering them, retrying and giving up.
 *
 * <p>{@link dev.thaw.events.EventQueue} resolves the target version and stores the event in SQLite before Invoke
 * answers 202, so an accepted event survives a crash. {@link dev.thaw.events.EventDispatcher} delivers queued events
 * through the synchronous {@link dev.thaw.invoke.InvokeService} path on virtual threads, a few at a time; a
 * throttled delivery waits without using up an attempt, a function error or platform failure is retried after a
 * growing delay, and an event out of attempts or too old is kept as a failed event. Delivery is at least once: an
 * event that was running when the platform died is queued again at startup. {@link dev.thaw.events.EventInvokeConfigs}
 * holds MaximumRetryAttempts and MaximumEventAgeInSeconds per qualifier ($LATEST, a version or an alias); an event
 * keeps the qualifier its invoke named, and that qualifier's config alone governs its retries.
 */
package dev.thaw.events;
