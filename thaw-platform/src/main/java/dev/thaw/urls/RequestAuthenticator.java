package dev.thaw.urls;

import java.util.Optional;

/**
 * Decides who sent a request to an AWS_IAM Function URL. Empty means refused: no signature, an unknown key, a
 * signature that does not match, or no keys configured at all (the URL then refuses everyone).
 */
public interface RequestAuthenticator {
    Optional<UrlEvent.Caller> authenticate(UrlRequest request);

    /** With no keys configured: every AWS_IAM request is refused. */
    static RequestAuthenticator refuseAll() {
        return request -> Optional.empty();
    }
}
