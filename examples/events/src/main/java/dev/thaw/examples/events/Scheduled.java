package dev.thaw.examples.events;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

import java.util.LinkedHashMap;
import java.util.Map;

/** ScheduledEvent (EventBridge / CloudWatch Events): returns its fields; time as its toString(). */
public class Scheduled implements RequestHandler<ScheduledEvent, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", event.getId());
        out.put("version", event.getVersion());
        out.put("account", event.getAccount());
        out.put("region", event.getRegion());
        out.put("source", event.getSource());
        out.put("detailType", event.getDetailType());
        out.put("time", String.valueOf(event.getTime()));
        out.put("timeMillis", event.getTime() == null ? null : event.getTime().getMillis());
        out.put("resources", event.getResources());
        out.put("detail", event.getDetail());
        return out;
    }
}
