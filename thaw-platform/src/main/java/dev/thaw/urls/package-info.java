/**
 * Function URLs: each function or alias may have one dedicated HTTP endpoint, and this package owns what it means.
 *
 * <p>{@link dev.thaw.urls.FunctionUrls} keeps the configurations (AuthType, Cors, InvokeMode) in the metadata store
 * and resolves a url-id to its function. {@link dev.thaw.urls.FunctionUrlService} serves one request: it checks
 * the caller ({@link dev.thaw.urls.RequestAuthenticator}, SigV4 for AWS_IAM), answers CORS preflights from the
 * configuration ({@link dev.thaw.urls.CorsPolicy}), builds the payload format 2.0 event ({@link
 * dev.thaw.urls.UrlEvent}), invokes synchronously through {@link dev.thaw.invoke.InvokeService} (so throttling,
 * concurrency and cold starts hold as for Invoke) and maps the function's result back to HTTP ({@link
 * dev.thaw.urls.UrlResponses}). Requests and responses arrive and leave as plain records; the listener that
 * parses HTTP lives in {@code dev.thaw.api}.
 */
package dev.thaw.urls;
