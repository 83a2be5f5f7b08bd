/**
 * Integration tests: each starts a real {@code thaw server} process with a temporary home, drives it through the
 * AWS SDK for Java v2 and plain HTTP, and checks real environment processes. Names end in {@code IT} and run under
 * failsafe after the jars are built.
 */
package dev.thaw.it;
