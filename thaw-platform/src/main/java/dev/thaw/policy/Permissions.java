package dev.thaw.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.Arns;
import dev.thaw.functions.FunctionService;
import dev.thaw.store.MetadataStore;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** A function's resource-based policy: statements added and removed by id, and the document they make. */
public final class Permissions {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STATEMENT_ID = Pattern.compile("[a-zA-Z0-9-_.]{1,100}");
    private static final Pattern ACTION = Pattern.compile("lambda:[*]|lambda:[a-zA-Z]+|[*]");
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

    /** AddPermission's parameters; null means not given. */
    public record Grant(String statementId, String action, String principal, String sourceArn, String sourceAccount,
                        String eventSourceToken, String principalOrgId, String functionUrlAuthType) {
    }

    /** A policy document and the revision it has now. */
    public record Policy(String document, String revisionId) {
    }

    private final FunctionService functions;
    private final MetadataStore store;

    public Permissions(FunctionService functions, MetadataStore store) {
        this.functions = functions;
        this.store = store;
    }

    /** Adds a statement and returns it as JSON text, as AddPermission answers. */
    public synchronized String add(String functionRef, String qualifier, Grant grant) {
        Target t = target(functionRef, qualifier);
        if (grant.statementId() == null || !STATEMENT_ID.matcher(grant.statementId()).matches()) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + grant.statementId()
                    + "' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression "
                    + "pattern: ([a-zA-Z0-9-_.]+)");
        }
        if (grant.action() == null || !ACTION.matcher(grant.action()).matches()) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + grant.action()
                    + "' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                    + "(lambda:[*]|lambda:[a-zA-Z]+|[*])");
        }
        if (grant.principal() == null || grant.principal().isEmpty()) {
            throw ThawException.invalidParameter("Principal is required.");
        }
        String statement = statement(grant, resourceArn(t));
        if (!store.insertPermission(t.name, t.qualifier, grant.statementId(), statement)) {
            throw ThawException.conflict("The statement id (" + grant.statementId() + ") provided already exists. "
                    + "Please choose another statement id or remove the existing statement.");
        }
        return statement;
    }

    public synchronized void remove(String functionRef, String qualifier, String statementId) {
        Target t = target(functionRef, qualifier);
        if (!store.deletePermission(t.name, t.qualifier, statementId)) {
            throw ThawException.notFound("Statement " + statementId + " is not found in resource policy.");
        }
    }

    public Policy policy(String functionRef, String qualifier) {
        Target t = target(functionRef, qualifier);
        List<String> statements = store.permissions(t.name, t.qualifier);
        if (statements.isEmpty()) {
            throw ThawException.notFound("The resource you requested does not exist.");
        }
        ObjectNode doc = JSON.createObjectNode();
        doc.put("Version", "2012-10-17");
        doc.put("Id", "default");
        ArrayNode list = doc.putArray("Statement");
        try {
            for (String s : statements) {
                list.add(JSON.readTree(s));
            }
            // A revision per content: the same statements give the same id, any change a new one.
            String text = JSON.writeValueAsString(doc);
            return new Policy(text, UUID.nameUUIDFromBytes(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .toString());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt policy statement", e);
        }
    }

    /**
     * Whether anyone may call the function's (or alias's) URL with AuthType NONE, as Lambda requires: a statement
     * allowing principal {@code *} the action {@code lambda:InvokeFunctionUrl} (or a wildcard covering it), with no
     * condition an anonymous caller cannot meet (only {@code lambda:FunctionUrlAuthType} = NONE).
     */
    public boolean allowsPublicUrl(String functionName, String qualifier) {
        for (String text : store.permissions(functionName, qualifier)) {
            try {
                JsonNode s = JSON.readTree(text);
                String action = s.path("Action").asText();
                boolean anyone = s.path("Principal").asText().equals("*")
                        || s.path("Principal").path("AWS").asText().equals("*");
                boolean urlAction = action.equals("lambda:InvokeFunctionUrl") || action.equals("lambda:*")
                        || action.equals("*");
                if (anyone && urlAction && s.path("Effect").asText().equals("Allow") && anonymousMeets(s)) {
                    return true;
                }
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("corrupt policy statement", e);
            }
        }
        return false;
    }

    private static boolean anonymousMeets(JsonNode statement) {
        JsonNode condition = statement.path("Condition");
        if (condition.isMissingNode() || condition.isEmpty()) {
            return true;
        }
        JsonNode equals = condition.path("StringEquals");
        return condition.size() == 1 && equals.size() == 1
                && equals.path("lambda:FunctionUrlAuthType").asText().equals("NONE");
    }

    private String statement(Grant g, String resource) {
        ObjectNode s = JSON.createObjectNode();
        s.put("Sid", g.statementId());
        s.put("Effect", "Allow");
        String p = g.principal();
        if (p.equals("*")) {
            s.put("Principal", "*");
        } else if (ACCOUNT.matcher(p).matches()) {
            s.putObject("Principal").put("AWS", "arn:aws:iam::" + p + ":root");
        } else if (p.startsWith("arn:")) {
            s.putObject("Principal").put("AWS", p);
        } else {
            s.putObject("Principal").put("Service", p);
        }
        s.put("Action", g.action());
        s.put("Resource", resource);
        ObjectNode condition = JSON.createObjectNode();
        if (g.sourceAccount() != null) {
            condition.withObjectProperty("StringEquals").put("AWS:SourceAccount", g.sourceAccount());
        }
        if (g.eventSourceToken() != null) {
            condition.withObjectProperty("StringEquals").put("lambda:EventSourceToken", g.eventSourceToken());
        }
        if (g.principalOrgId() != null) {
            condition.withObjectProperty("StringEquals").put("aws:PrincipalOrgID", g.principalOrgId());
        }
        if (g.functionUrlAuthType() != null) {
            condition.withObjectProperty("StringEquals").put("lambda:FunctionUrlAuthType", g.functionUrlAuthType());
        }
        if (g.sourceArn() != null) {
            condition.withObjectProperty("ArnLike").put("AWS:SourceArn", g.sourceArn());
        }
        if (!condition.isEmpty()) {
            s.set("Condition", condition);
        }
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Target(String name, String qualifier) {
    }

    private Target target(String functionRef, String qualifier) {
        Arns.FunctionRef ref = functions.arns().parse(functionRef);
        Optional<String> q = ref.qualifier(qualifier);
        // Checks that the function, and the version or alias named, exist.
        functions.get(ref.name(), q.orElse(null));
        return new Target(ref.name(), q.orElse(""));
    }

    private String resourceArn(Target t) {
        return t.qualifier.isEmpty() ? functions.arns().functionArn(t.name)
                : functions.arns().qualifiedArn(t.name, t.qualifier);
    }
}
