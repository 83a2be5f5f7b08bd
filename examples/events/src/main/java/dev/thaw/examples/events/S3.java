package dev.thaw.examples.events;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;

import java.util.LinkedHashMap;
import java.util.Map;

/** S3Event: returns the first record's fields; eventTime as its toString(), object size as a Long. */
public class S3 implements RequestHandler<S3Event, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(S3Event event, Context context) {
        S3EventNotificationRecord r = event.getRecords().get(0);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", event.getRecords().size());
        out.put("eventName", r.getEventName());
        out.put("eventSource", r.getEventSource());
        out.put("awsRegion", r.getAwsRegion());
        out.put("eventTime", String.valueOf(r.getEventTime()));
        out.put("eventTimeMillis", r.getEventTime() == null ? null : r.getEventTime().getMillis());
        out.put("principalId", r.getUserIdentity() == null ? null : r.getUserIdentity().getPrincipalId());
        out.put("sourceIPAddress", r.getRequestParameters() == null ? null : r.getRequestParameters().getSourceIPAddress());
        out.put("xAmzRequestId", r.getResponseElements() == null ? null : r.getResponseElements().getxAmzRequestId());
        out.put("bucketName", r.getS3().getBucket().getName());
        out.put("bucketArn", r.getS3().getBucket().getArn());
        out.put("objectKey", r.getS3().getObject().getKey());
        out.put("objectUrlDecodedKey", r.getS3().getObject().getUrlDecodedKey());
        Long size = r.getS3().getObject().getSizeAsLong();
        out.put("objectSize", size);
        out.put("objectETag", r.getS3().getObject().geteTag());
        out.put("objectSequencer", r.getS3().getObject().getSequencer());
        return out;
    }
}
