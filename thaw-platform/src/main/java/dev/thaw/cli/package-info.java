/**
 * The {@code thaw} command line (picocli): {@code server} runs the platform; {@code deploy}, {@code invoke},
 * {@code ls}, {@code logs} and {@code demo} are thin clients of the same HTTP API the AWS SDKs use. {@link
 * dev.thaw.cli.Soak} soaks any running platform; {@code bench --soak} and the integration tests use it.
 */
package dev.thaw.cli;
