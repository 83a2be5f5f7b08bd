package dev.thaw.functions;

import java.util.List;

/**
 * Settings Lambda has and Thaw accepts, stores and returns as AWS does, but does not act on: X-Ray tracing
 * ({@code TracingConfig}), the KMS key of environment variables ({@code KMSKeyArn}), the VPC attachment
 * ({@code VpcConfig}: environments use the host's network) and a custom CloudWatch log group ({@code LogGroup}: logs go
 * to Thaw's log files). Returning them keeps deployment tools from seeing drift. A null field was never set; in an
 * update it means "leave as it is".
 */
public record InertSettings(String tracingMode, String kmsKeyArn, List<String> subnetIds,
                            List<String> securityGroupIds, Boolean ipv6AllowedForDualStack, String logGroup) {

    public static final InertSettings NONE = new InertSettings(null, null, null, null, null, null);

    /** These settings with every field {@code changes} gives replacing this one's. */
    public InertSettings with(InertSettings changes) {
        if (changes == null) {
            return this;
        }
        boolean vpc = changes.subnetIds != null || changes.securityGroupIds != null;
        return new InertSettings(
                changes.tracingMode != null ? changes.tracingMode : tracingMode,
                changes.kmsKeyArn != null ? emptyToNull(changes.kmsKeyArn) : kmsKeyArn,
                vpc ? changes.subnetIds : subnetIds,
                vpc ? changes.securityGroupIds : securityGroupIds,
                changes.ipv6AllowedForDualStack != null ? changes.ipv6AllowedForDualStack : ipv6AllowedForDualStack,
                changes.logGroup != null ? changes.logGroup : logGroup);
    }

    public boolean hasVpc() {
        return subnetIds != null && !subnetIds.isEmpty() || securityGroupIds != null && !securityGroupIds.isEmpty();
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
