/**
 * Wiring: {@link dev.thaw.server.ThawConfig} (embedded defaults, overridable) and {@link dev.thaw.server.Thaw}, the
 * small facade that assembles the store, services, pool and HTTP server, starts them and stops them in order.
 */
package dev.thaw.server;
