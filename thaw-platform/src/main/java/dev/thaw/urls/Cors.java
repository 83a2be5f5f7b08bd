package dev.thaw.urls;

import java.util.List;

/**
 * A Function URL's CORS settings as the API takes and returns them; a field the caller left out is null, and is
 * returned left out.
 */
public record Cors(Boolean allowCredentials, List<String> allowHeaders, List<String> allowMethods,
                   List<String> allowOrigins, List<String> exposeHeaders, Integer maxAge) {
}
