package dev.thaw.environments;

import dev.thaw.functions.FunctionVersion;
import dev.thaw.runtimeapi.CredentialsEndpoint;

import java.util.Map;

/**
 * The credential variables an environment gets. Thaw never puts a credential into an environment: it gives the
 * address of its credentials endpoint and a token naming the function version, like Lambda's SnapStart, so no
 * expiring secret is frozen into a snapshot. The endpoint is served inside the environment, on its Runtime API server.
 */
public interface CredentialsSource extends CredentialsEndpoint {
    Map<String, String> environment(FunctionVersion version);
}
