package dev.thaw.urls;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An HTTP request to a Function URL, as the listener received it: {@code sentPath} is the path as sent,
 * {@code rawPath} the path below the URL (the same, except in the path form {@code /<url-id>/...}; percent-encoding
 * kept), {@code rawQuery} the query string as sent (empty when none), {@code headers} every header
 * line in order with its name as sent, {@code queryParameters} the decoded query, {@code domainName} the URL's host
 * name without the port.
 */
public record UrlRequest(String urlId, String method, String sentPath, String rawPath, String rawQuery,
                         List<Header> headers,
                         Map<String, List<String>> queryParameters, String protocol, String sourceIp,
                         String domainName, byte[] body) {

    public record Header(String name, String value) {
    }

    /** The first value of a header, by case-insensitive name. */
    public Optional<String> header(String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return Optional.of(h.value());
            }
        }
        return Optional.empty();
    }

    /** Every value of a header, by case-insensitive name, in order. */
    public List<String> headerValues(String name) {
        List<String> values = new ArrayList<>();
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                values.add(h.value());
            }
        }
        return values;
    }
}
