package dev.thaw.examples.events;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;

import java.util.LinkedHashMap;
import java.util.Map;

/** APIGatewayProxyRequestEvent (REST API, payload v1): returns its fields. */
public class ApiV1 implements RequestHandler<APIGatewayProxyRequestEvent, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(APIGatewayProxyRequestEvent e, Context context) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("resource", e.getResource());
        out.put("httpMethod", e.getHttpMethod());
        out.put("path", e.getPath());
        out.put("queryStringParameters", e.getQueryStringParameters());
        out.put("multiValueQueryStringParameters", e.getMultiValueQueryStringParameters());
        out.put("headers", e.getHeaders());
        out.put("pathParameters", e.getPathParameters());
        out.put("body", e.getBody());
        out.put("isBase64Encoded", e.getIsBase64Encoded());
        if (e.getRequestContext() != null) {
            out.put("requestId", e.getRequestContext().getRequestId());
            out.put("accountId", e.getRequestContext().getAccountId());
            out.put("stage", e.getRequestContext().getStage());
            out.put("requestTimeEpoch", e.getRequestContext().getRequestTimeEpoch());
            out.put("sourceIp", e.getRequestContext().getIdentity() == null ? null
                    : e.getRequestContext().getIdentity().getSourceIp());
        }
        return out;
    }
}
