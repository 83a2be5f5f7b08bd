/**
 * Credentials for functions, served fresh on demand so none is frozen into a snapshot.
 *
 * <p>Environments get {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} (Thaw's endpoint) and
 * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}, an HMAC token that names the function version and does not expire; the
 * AWS SDKs' container credentials provider fetches short-lived credentials with it whenever they are needed, also
 * after a restore. The credentials served are the host's configured ones.
 */
package dev.thaw.credentials;
