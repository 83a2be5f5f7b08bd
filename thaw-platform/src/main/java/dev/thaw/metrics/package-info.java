/**
 * The platform's metrics: it owns the Prometheus registry and every meter, and writes them in the Prometheus text
 * format or OpenMetrics, whichever the scraper asks for. The rest of the platform reports what happens through
 * {@link dev.thaw.metrics.PlatformMetrics} (an invocation finished, a cold start, a throttle, a restore, an event's
 * retry) and never touches Prometheus types; what is a state rather than an event (environments by state, memory,
 * concurrency, the event backlog, snapshot sizes) is read at scrape time from {@link dev.thaw.metrics.PlatformReadings}.
 * Labels stay bounded: function, version, error type (at most {@link dev.thaw.metrics.PrometheusMetrics#MAX_ERROR_TYPES}
 * per function), cold-start kind and state, never a request or environment id; a deleted function's or version's
 * series are removed.
 */
package dev.thaw.metrics;
