package dev.thaw.runtime;

import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.fasterxml.jackson.databind.JsonNode;

/** From the {@code Lambda-Runtime-Cognito-Identity} header: {@code {"cognitoIdentityId", "cognitoIdentityPoolId"}}. */
record CognitoIdentityImpl(String identityId, String identityPoolId) implements CognitoIdentity {

    static CognitoIdentityImpl from(JsonNode json) {
        return new CognitoIdentityImpl(json.path("cognitoIdentityId").asText(null),
                json.path("cognitoIdentityPoolId").asText(null));
    }

    @Override
    public String getIdentityId() {
        return identityId;
    }

    @Override
    public String getIdentityPoolId() {
        return identityPoolId;
    }
}
