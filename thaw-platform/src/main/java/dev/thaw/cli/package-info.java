/**
 * The {@code thaw} command line (picocli): {@code server} runs the platform; {@code deploy}, {@code invoke},
 * {@code ls}, {@code logs} and {@code demo} are thin clients of the same HTTP API the AWS SDKs use.
 */
package dev.thaw.cli;
