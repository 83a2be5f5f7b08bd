package dev.thaw.runtime;

import com.amazonaws.services.lambda.runtime.Client;
import com.amazonaws.services.lambda.runtime.ClientContext;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * From the {@code Lambda-Runtime-Client-Context} header: {@code {"client": {"installation_id", "app_title",
 * "app_version_name", "app_version_code", "app_package_name"}, "custom": {...}, "env": {...}}}.
 */
record ClientContextImpl(Client client, Map<String, String> custom, Map<String, String> environment)
        implements ClientContext {

    static ClientContextImpl from(JsonNode json) {
        JsonNode c = json.path("client");
        Client client = c.isObject()
                ? new MobileClient(c.path("installation_id").asText(null), c.path("app_title").asText(null),
                        c.path("app_version_name").asText(null), c.path("app_version_code").asText(null),
                        c.path("app_package_name").asText(null))
                : null;
        return new ClientContextImpl(client, strings(json.path("custom")), strings(json.path("env")));
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().isTextual()
                ? e.getValue().asText() : e.getValue().toString()));
        return Collections.unmodifiableMap(map);
    }

    @Override
    public Client getClient() {
        return client;
    }

    @Override
    public Map<String, String> getCustom() {
        return custom;
    }

    @Override
    public Map<String, String> getEnvironment() {
        return environment;
    }

    record MobileClient(String installationId, String appTitle, String appVersionName, String appVersionCode,
            String appPackageName) implements Client {

        @Override
        public String getInstallationId() {
            return installationId;
        }

        @Override
        public String getAppTitle() {
            return appTitle;
        }

        @Override
        public String getAppVersionName() {
            return appVersionName;
        }

        @Override
        public String getAppVersionCode() {
            return appVersionCode;
        }

        @Override
        public String getAppPackageName() {
            return appPackageName;
        }
    }
}
