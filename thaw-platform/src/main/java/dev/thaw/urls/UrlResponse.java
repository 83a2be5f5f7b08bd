package dev.thaw.urls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** What a Function URL answers: a status, header lines in order (a name may repeat, as Set-Cookie does), a body. */
public record UrlResponse(int status, List<UrlRequest.Header> headers, byte[] body) {

    /** An error in the shape Lambda's URL front end gives it: {@code x-amzn-ErrorType} and a JSON Message. */
    static UrlResponse error(int status, String errorType, String messageJson) {
        List<UrlRequest.Header> headers = new ArrayList<>();
        headers.add(new UrlRequest.Header("Content-Type", "application/json"));
        headers.add(new UrlRequest.Header("x-amzn-ErrorType", errorType));
        return new UrlResponse(status, headers,
                ("{\"Message\":" + messageJson + "}").getBytes(StandardCharsets.UTF_8));
    }

    UrlResponse withHeader(String name, String value) {
        List<UrlRequest.Header> more = new ArrayList<>(headers);
        more.add(new UrlRequest.Header(name, value));
        return new UrlResponse(status, more, body);
    }
}
