/**
 * Typed failures of every Thaw operation.
 *
 * <p>Each failure is one {@link dev.thaw.errors.ThawException} carrying an {@link dev.thaw.errors.ErrorCode}: the
 * AWS error type and HTTP status that the AWS SDKs and CLI map to their own exception classes. Domain code throws
 * these; only {@code dev.thaw.api} turns them into HTTP responses.
 */
package dev.thaw.errors;
