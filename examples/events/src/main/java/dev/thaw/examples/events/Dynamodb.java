package dev.thaw.examples.events;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** DynamodbEvent: returns each record's fields; approximateCreationDateTime as epoch millis. */
public class Dynamodb implements RequestHandler<DynamodbEvent, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(DynamodbEvent event, Context context) {
        List<Map<String, Object>> records = new ArrayList<>();
        for (DynamodbEvent.DynamodbStreamRecord r : event.getRecords()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("eventID", r.getEventID());
            out.put("eventName", r.getEventName());
            out.put("eventSource", r.getEventSource());
            out.put("eventSourceArn", r.getEventSourceARN());
            out.put("awsRegion", r.getAwsRegion());
            StreamRecord d = r.getDynamodb();
            if (d != null) {
                out.put("keysIdN", d.getKeys() == null || d.getKeys().get("Id") == null ? null : d.getKeys().get("Id").getN());
                out.put("newImageMessageS", d.getNewImage() == null || d.getNewImage().get("Message") == null
                        ? null : d.getNewImage().get("Message").getS());
                out.put("oldImageMessageS", d.getOldImage() == null || d.getOldImage().get("Message") == null
                        ? null : d.getOldImage().get("Message").getS());
                out.put("sequenceNumber", d.getSequenceNumber());
                out.put("sizeBytes", d.getSizeBytes());
                out.put("streamViewType", d.getStreamViewType());
                out.put("approximateCreationDateTime", d.getApproximateCreationDateTime() == null
                        ? null : d.getApproximateCreationDateTime().getTime());
            }
            records.add(out);
        }
        return Map.of("records", records);
    }
}
