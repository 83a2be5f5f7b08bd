package thawtest.fn;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import thawtest.fnlib.Greeter;

/**
 * The function the end-to-end tests deploy: it reports how the runtime loaded it, which SnapStart hooks ran,
 * and fails when the event asks it to.
 */
public class ProbeHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    static final List<String> HOOK_CALLS = new ArrayList<>();
    /** Held strongly: the global context keeps resources only weakly, as on AWS. */
    private static final org.crac.Resource HOOKS = new org.crac.Resource() {
        @Override
        public void beforeCheckpoint(org.crac.Context<? extends org.crac.Resource> context) {
            HOOK_CALLS.add("beforeCheckpoint");
        }

        @Override
        public void afterRestore(org.crac.Context<? extends org.crac.Resource> context) {
            HOOK_CALLS.add("afterRestore");
        }
    };

    public ProbeHandler() {
        org.crac.Core.getGlobalContext().register(HOOKS);
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        if (Boolean.TRUE.equals(event.get("fail"))) {
            throw new IllegalStateException("asked to fail", new java.io.IOException("root cause"));
        }
        context.getLogger().log("probe handled " + context.getAwsRequestId());
        ClassLoader functionLoader = getClass().getClassLoader();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requestId", context.getAwsRequestId());
        out.put("greeting", Greeter.greet(String.valueOf(event.get("name"))));
        out.put("contextLoaderIsFunctionLoader", Thread.currentThread().getContextClassLoader() == functionLoader);
        out.put("functionLoaderIsChildOfSystem", functionLoader.getParent() == ClassLoader.getSystemClassLoader());
        out.put("contextApiFromSystemLoader", Context.class.getClassLoader() == ClassLoader.getSystemClassLoader());
        out.put("cracFromSystemLoader", org.crac.Core.class.getClassLoader() == ClassLoader.getSystemClassLoader());
        out.put("ownJacksonFromLib", ObjectMapper.class.getClassLoader() == functionLoader);
        out.put("hookCalls", new ArrayList<>(HOOK_CALLS));
        out.put("javaVersion", Runtime.version().feature());
        return out;
    }
}
