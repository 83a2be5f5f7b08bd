package dev.thaw.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * The bench's client for warm invokes: a blocking HttpURLConnection on the calling thread over a kept-alive
 * connection. The JDK's asynchronous HttpClient hands every exchange between its selector and worker threads,
 * which on two cores adds about half a millisecond of its own; a blocking client measures what the platform adds.
 */
final class WarmClient {
    static {
        // The JDK keeps 5 idle connections per destination by default; 16 callers must not reconnect.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "64");
        }
    }

    private final URL url;
    private final byte[] payload;

    WarmClient(int port, String function, String qualifier, String payload) {
        this(URI.create("http://127.0.0.1:" + port), function, qualifier, payload);
    }

    WarmClient(URI endpoint, String function, String qualifier, String payload) {
        try {
            this.url = endpoint.resolve("/2015-03-31/functions/" + function + "/invocations?Qualifier="
                    + ApiClient.encode(qualifier)).toURL();
        } catch (java.net.MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
        this.payload = payload.getBytes(StandardCharsets.UTF_8);
    }

    /** One synchronous invoke; milliseconds from the request to the last byte of the response. */
    double invoke() {
        long start = System.nanoTime();
        try {
            HttpURLConnection c = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            try (OutputStream out = c.getOutputStream()) {
                out.write(payload);
            }
            int status = c.getResponseCode();
            byte[] body;
            try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                body = in == null ? new byte[0] : in.readAllBytes();
            }
            double ms = (System.nanoTime() - start) / 1e6;
            if (status != 200 || c.getHeaderField("X-Amz-Function-Error") != null) {
                throw new IllegalStateException(url.getPath() + " answered " + status + ": "
                        + new String(body, StandardCharsets.UTF_8));
            }
            return ms;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
