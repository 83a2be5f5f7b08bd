/**
 * Who may call the API: AWS Signature Version 4 over the accepted access keys.
 *
 * <p>{@link dev.thaw.auth.AccessKeys} reads the accepted key ids and secrets from a file in the shape of
 * {@code ~/.aws/credentials}. {@link dev.thaw.auth.SignatureVerifier} turns a {@link dev.thaw.auth.ReceivedRequest}
 * into a {@link dev.thaw.auth.Verdict}: it parses the signature ({@link dev.thaw.auth.SignatureParts}), checks the key,
 * the credential scope and the clock, and then has the AWS SDK's own SigV4 signer compute the signature the request
 * should carry, compared in constant time. No canonical request is built here, and nothing here sees an HTTP server
 * type: the API's edge describes the request and maps a refusal to AWS's error.
 */
package dev.thaw.auth;
