package dev.thaw.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.functions.Alias;
import dev.thaw.functions.Arns;
import dev.thaw.functions.FunctionConfig;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.InertSettings;
import dev.thaw.functions.VersionState;

/** Renders domain records in the JSON shapes of Lambda's API (FunctionConfiguration, AliasConfiguration). */
final class Shapes {
    private Shapes() {
    }

    static ObjectNode configuration(FunctionVersion v, Arns arns) {
        FunctionConfig c = v.config();
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("FunctionName", v.functionName());
        o.put("FunctionArn", v.isLatest() ? arns.functionArn(v.functionName())
                : arns.qualifiedArn(v.functionName(), v.version()));
        o.put("Runtime", c.runtime());
        o.put("Role", c.role() == null ? "" : c.role());
        o.put("Handler", c.handler());
        o.put("CodeSize", v.code().size());
        o.put("Description", c.description() == null ? "" : c.description());
        o.put("Timeout", c.timeout());
        o.put("MemorySize", c.memorySize());
        o.put("LastModified", v.lastModified());
        o.put("CodeSha256", v.code().sha256Base64());
        o.put("Version", v.version());
        if (!c.environment().isEmpty()) {
            ObjectNode vars = o.putObject("Environment").putObject("Variables");
            c.environment().forEach(vars::put);
        }
        InertSettings inert = c.inert();
        o.putObject("TracingConfig").put("Mode", inert.tracingMode() == null ? "PassThrough" : inert.tracingMode());
        if (inert.kmsKeyArn() != null) {
            o.put("KMSKeyArn", inert.kmsKeyArn());
        }
        if (inert.hasVpc()) {
            ObjectNode vpc = o.putObject("VpcConfig");
            inert.subnetIds().forEach(vpc.putArray("SubnetIds")::add);
            inert.securityGroupIds().forEach(vpc.putArray("SecurityGroupIds")::add);
            vpc.put("VpcId", "");
            vpc.put("Ipv6AllowedForDualStack", Boolean.TRUE.equals(inert.ipv6AllowedForDualStack()));
        }
        if (!c.layers().isEmpty()) {
            ArrayNode layers = o.putArray("Layers");
            c.layers().forEach(l -> layers.addObject().put("Arn", l.arn()).put("CodeSize", l.codeSize()));
        }
        o.put("RevisionId", v.revisionId());
        o.put("PackageType", "Zip");
        o.putArray("Architectures").add("x86_64");
        o.putObject("EphemeralStorage").put("Size", c.ephemeralStorage());
        ObjectNode snap = o.putObject("SnapStart");
        snap.put("ApplyOn", c.snapStart().awsName());
        snap.put("OptimizationStatus", v.snapshot() == FunctionVersion.SnapshotStatus.On ? "On" : "Off");
        VersionState s = v.state();
        o.put("State", s.state().name());
        putIfPresent(o, "StateReason", s.stateReason());
        putIfPresent(o, "StateReasonCode", s.stateReasonCode());
        o.put("LastUpdateStatus", s.lastUpdateStatus().name());
        putIfPresent(o, "LastUpdateStatusReason", s.lastUpdateStatusReason());
        putIfPresent(o, "LastUpdateStatusReasonCode", s.lastUpdateStatusReasonCode());
        ObjectNode logging = o.putObject("LoggingConfig");
        dev.thaw.functions.LoggingConfig format = c.logging();
        logging.put("LogFormat", format.logFormat());
        if (format.json()) {
            logging.put("ApplicationLogLevel", format.effectiveApplicationLogLevel());
            logging.put("SystemLogLevel", format.effectiveSystemLogLevel());
        }
        logging.put("LogGroup", inert.logGroup() != null ? inert.logGroup() : "/aws/lambda/" + v.functionName());
        return o;
    }

    static ObjectNode alias(Alias a, Arns arns) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("AliasArn", arns.qualifiedArn(a.functionName(), a.name()));
        o.put("Name", a.name());
        o.put("FunctionVersion", a.functionVersion());
        o.put("Description", a.description());
        o.put("RevisionId", a.revisionId());
        return o;
    }

    private static void putIfPresent(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, value);
        }
    }
}
