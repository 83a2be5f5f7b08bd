package dev.thaw.examples.events;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

import java.util.LinkedHashMap;
import java.util.Map;

/** APIGatewayV2HTTPEvent (HTTP API, payload v2): returns its fields. */
public class ApiV2 implements RequestHandler<APIGatewayV2HTTPEvent, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(APIGatewayV2HTTPEvent e, Context context) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", e.getVersion());
        out.put("routeKey", e.getRouteKey());
        out.put("rawPath", e.getRawPath());
        out.put("rawQueryString", e.getRawQueryString());
        out.put("cookies", e.getCookies());
        out.put("queryStringParameters", e.getQueryStringParameters());
        out.put("headers", e.getHeaders());
        out.put("body", e.getBody());
        out.put("isBase64Encoded", e.getIsBase64Encoded());
        if (e.getRequestContext() != null) {
            out.put("requestId", e.getRequestContext().getRequestId());
            out.put("timeEpoch", e.getRequestContext().getTimeEpoch());
            if (e.getRequestContext().getHttp() != null) {
                out.put("method", e.getRequestContext().getHttp().getMethod());
                out.put("sourceIp", e.getRequestContext().getHttp().getSourceIp());
            }
        }
        return out;
    }
}
