package dev.thaw.examples.events;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SNSEvent;

import java.util.LinkedHashMap;
import java.util.Map;

/** SNSEvent: returns the first record's fields; the Joda timestamp as its toString(). */
public class Sns implements RequestHandler<SNSEvent, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(SNSEvent event, Context context) {
        SNSEvent.SNSRecord r = event.getRecords().get(0);
        SNSEvent.SNS sns = r.getSNS();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("eventSource", r.getEventSource());
        out.put("eventSubscriptionArn", r.getEventSubscriptionArn());
        out.put("snsPresent", sns != null);
        if (sns != null) {
            out.put("message", sns.getMessage());
            out.put("messageId", sns.getMessageId());
            out.put("subject", sns.getSubject());
            out.put("topicArn", sns.getTopicArn());
            out.put("type", sns.getType());
            out.put("timestamp", String.valueOf(sns.getTimestamp()));
            out.put("timestampMillis", sns.getTimestamp() == null ? null : sns.getTimestamp().getMillis());
            Map<String, Object> attrs = new LinkedHashMap<>();
            if (sns.getMessageAttributes() != null) {
                sns.getMessageAttributes().forEach((k, v) -> attrs.put(k, Map.of(
                        "type", String.valueOf(v.getType()), "value", String.valueOf(v.getValue()))));
            }
            out.put("messageAttributes", attrs);
        }
        return out;
    }
}
