package dev.thaw.api;

import dev.thaw.auth.AccessKey;
import dev.thaw.auth.ReceivedRequest;
import dev.thaw.auth.SignatureVerifier;
import dev.thaw.auth.Verdict;
import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The stage before routing when access keys are configured: every request but the health check must carry a valid
 * SigV4 signature. A refusal becomes AWS's error
 * here; an accepted request goes on with its key in the request's context, and with its body already read (a
 * signature covers the body, which can be read only once), for the handler's {@link BodyReader#read}.
 */
final class SignatureCheck {
    private static final Set<String> OPEN_PATHS = Set.of(PlatformApi.BASE + "/health");

    private final SignatureVerifier verifier;
    private final BodyReader bodies;

    SignatureCheck(SignatureVerifier verifier, BodyReader bodies) {
        this.verifier = verifier;
        this.bodies = bodies;
    }

    void handle(ServerRequest req, ServerResponse res) {
        if (req.prologue().method() == Method.GET && OPEN_PATHS.contains(req.path().rawPath())) {
            res.next();
            return;
        }
        ReceivedRequest received = new ReceivedRequest(req.prologue().method().text(),
                req.headers().first(HeaderNames.HOST).orElse("localhost"), req.path().rawPath(),
                req.query().rawValue(), headers(req), () -> bodies.readAhead(req));
        switch (verifier.verify(received)) {
            case Verdict.Accepted accepted -> {
                req.context().register(accepted.key());
                res.next();
            }
            case Verdict.Refused refused -> throw new ThawException(errorCode(refused.refusal()), refused.message());
        }
    }

    /** The key that signed {@code req}; empty when no keys are configured. */
    static Optional<AccessKey> signer(ServerRequest req) {
        return req.context().get(AccessKey.class);
    }

    private static ErrorCode errorCode(Verdict.Refusal refusal) {
        return switch (refusal) {
            case MISSING -> ErrorCode.MISSING_AUTHENTICATION_TOKEN;
            case INCOMPLETE -> ErrorCode.INCOMPLETE_SIGNATURE;
            case UNKNOWN_KEY -> ErrorCode.UNRECOGNIZED_CLIENT;
            case INVALID -> ErrorCode.INVALID_SIGNATURE;
        };
    }

    private static Map<String, List<String>> headers(ServerRequest req) {
        Map<String, List<String>> out = new HashMap<>();
        for (Header h : req.headers()) {
            out.computeIfAbsent(h.name().toLowerCase(Locale.ROOT), n -> new ArrayList<>()).addAll(h.allValues());
        }
        return out;
    }
}
