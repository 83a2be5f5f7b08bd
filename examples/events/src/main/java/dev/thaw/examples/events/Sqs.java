package dev.thaw.examples.events;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import java.util.LinkedHashMap;
import java.util.Map;

/** SQSEvent: returns the first record's fields. */
public class Sqs implements RequestHandler<SQSEvent, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(SQSEvent event, Context context) {
        SQSEvent.SQSMessage m = event.getRecords().get(0);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", event.getRecords().size());
        out.put("messageId", m.getMessageId());
        out.put("receiptHandle", m.getReceiptHandle());
        out.put("body", m.getBody());
        out.put("md5OfBody", m.getMd5OfBody());
        out.put("eventSource", m.getEventSource());
        out.put("eventSourceArn", m.getEventSourceArn());
        out.put("awsRegion", m.getAwsRegion());
        out.put("approximateReceiveCount", m.getAttributes() == null ? null : m.getAttributes().get("ApproximateReceiveCount"));
        out.put("sentTimestamp", m.getAttributes() == null ? null : m.getAttributes().get("SentTimestamp"));
        Map<String, Object> attrs = new LinkedHashMap<>();
        if (m.getMessageAttributes() != null) {
            m.getMessageAttributes().forEach((k, v) -> attrs.put(k, Map.of(
                    "stringValue", String.valueOf(v.getStringValue()), "dataType", String.valueOf(v.getDataType()))));
        }
        out.put("messageAttributes", attrs);
        return out;
    }
}
