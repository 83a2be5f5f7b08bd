/**
 * The HTTP edge: Lambda's control API and Invoke API (the paths, headers and JSON shapes of AWS, so the AWS SDKs
 * and CLI work unchanged), plus Thaw's own endpoints under {@code /thaw/v1/}.
 *
 * <p>Each handler parses a request into a command of the functions or invoke package, calls it and renders the
 * result. {@link dev.thaw.api.AwsErrors} is the single place where a failure becomes an AWS-shaped error response.
 * Nothing below this package sees an HTTP type.
 */
package dev.thaw.api;
