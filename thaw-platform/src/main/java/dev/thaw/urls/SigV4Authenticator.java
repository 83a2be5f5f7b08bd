package dev.thaw.urls;

import dev.thaw.auth.ReceivedRequest;
import dev.thaw.auth.SignatureVerifier;
import dev.thaw.auth.Verdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The AWS_IAM check: the platform's own SigV4 verifier ({@link SignatureVerifier}, the one the control API uses
 * with {@code --access-keys}) applied to the request as it was sent, path form included. An accepted key becomes
 * the event's caller; any refusal is a 403.
 */
public final class SigV4Authenticator implements RequestAuthenticator {
    private final SignatureVerifier verifier;
    private final String accountId;

    public SigV4Authenticator(SignatureVerifier verifier, String accountId) {
        this.verifier = verifier;
        this.accountId = accountId;
    }

    @Override
    public Optional<UrlEvent.Caller> authenticate(UrlRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (UrlRequest.Header h : request.headers()) {
            headers.computeIfAbsent(h.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(h.value());
        }
        Verdict verdict = verifier.verify(new ReceivedRequest(request.method(), request.header("Host").orElse(""),
                request.sentPath(), request.rawQuery(), headers, request::body));
        return switch (verdict) {
            case Verdict.Accepted accepted -> Optional.of(new UrlEvent.Caller(accepted.key().id(), accountId));
            case Verdict.Refused refused -> Optional.empty();
        };
    }
}
