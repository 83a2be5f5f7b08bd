package dev.thaw.layers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import dev.thaw.store.MetadataStore;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A layer version's resource-based policy (AddLayerVersionPermission, GetLayerVersionPolicy,
 * RemoveLayerVersionPermission): statements granting {@code lambda:GetLayerVersion} to an account, to everyone, or
 * to everyone in an organization, stored by id in the document AWS builds. Thaw serves one account, so nothing
 * evaluates them. The revision id names the document's content: any change gives a new one.
 */
public final class LayerVersionPolicies {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STATEMENT_ID = Pattern.compile("[a-zA-Z0-9-_]{1,100}");
    private static final String ACTION = "lambda:GetLayerVersion";
    private static final Pattern PRINCIPAL = Pattern.compile("\\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root");
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern ORGANIZATION = Pattern.compile("o-[a-z0-9]{10,32}");

    /** AddLayerVersionPermission's parameters; null means not given. */
    public record Grant(String statementId, String action, String principal, String organizationId,
                        String revisionId) {
    }

    /** A statement added (as JSON text) and the policy's revision after it. */
    public record Added(String statement, String revisionId) {
    }

    /** A policy document and the revision it has now. */
    public record Policy(String document, String revisionId) {
    }

    private final Layers layers;
    private final MetadataStore store;

    public LayerVersionPolicies(Layers layers, MetadataStore store) {
        this.layers = layers;
        this.store = store;
    }

    public synchronized Added add(String layerNameOrArn, long version, Grant grant) {
        LayerVersion v = layers.get(layerNameOrArn, version);
        if (grant.statementId() == null || !STATEMENT_ID.matcher(grant.statementId()).matches()) {
            throw validation(grant.statementId(), "statementId", "regular expression pattern: ([a-zA-Z0-9-_]+)");
        }
        if (!ACTION.equals(grant.action())) {
            throw validation(grant.action(), "action", "regular expression pattern: lambda:GetLayerVersion");
        }
        if (grant.principal() == null || !PRINCIPAL.matcher(grant.principal()).matches()) {
            throw validation(grant.principal(), "principal",
                    "regular expression pattern: \\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root");
        }
        if (grant.organizationId() != null) {
            if (!ORGANIZATION.matcher(grant.organizationId()).matches()) {
                throw validation(grant.organizationId(), "organizationId",
                        "regular expression pattern: o-[a-z0-9]{10,32}");
            }
            if (!grant.principal().equals("*")) {
                throw ThawException.invalidParameter("OrganizationId can only be used with the Principal *.");
            }
        }
        requireRevision(v, grant.revisionId());
        String statement = statement(grant, layers.arn(v.layerName(), v.version()));
        if (!store.insertLayerVersionPermission(v.layerName(), v.version(), grant.statementId(), statement)) {
            throw ThawException.conflict("The statement id (" + grant.statementId() + ") provided already exists. "
                    + "Please choose another statement id or remove the existing statement.");
        }
        return new Added(statement, current(v).orElseThrow().revisionId());
    }

    public synchronized void remove(String layerNameOrArn, long version, String statementId, String revisionId) {
        LayerVersion v = layers.get(layerNameOrArn, version);
        requireRevision(v, revisionId);
        if (!store.deleteLayerVersionPermission(v.layerName(), v.version(), statementId)) {
            throw ThawException.notFound("Statement " + statementId + " is not found in resource policy.");
        }
    }

    public Policy policy(String layerNameOrArn, long version) {
        LayerVersion v = layers.get(layerNameOrArn, version);
        return current(v).orElseThrow(() ->
                ThawException.notFound("No policy is associated with the given resource."));
    }

    private void requireRevision(LayerVersion v, String revisionId) {
        if (revisionId == null) {
            return;
        }
        if (!current(v).map(Policy::revisionId).filter(revisionId::equals).isPresent()) {
            throw new ThawException(ErrorCode.PRECONDITION_FAILED, "The Revision Id provided does not match the "
                    + "latest Revision Id. Call the GetLayerVersionPolicy API to retrieve the latest Revision Id");
        }
    }

    private Optional<Policy> current(LayerVersion v) {
        List<String> statements = store.layerVersionPermissions(v.layerName(), v.version());
        if (statements.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode doc = JSON.createObjectNode();
        doc.put("Version", "2012-10-17");
        doc.put("Id", "default");
        ArrayNode list = doc.putArray("Statement");
        try {
            for (String s : statements) {
                list.add(JSON.readTree(s));
            }
            String text = JSON.writeValueAsString(doc);
            return Optional.of(new Policy(text, UUID.nameUUIDFromBytes(text.getBytes(StandardCharsets.UTF_8))
                    .toString()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt layer policy statement", e);
        }
    }

    private static String statement(Grant g, String resource) {
        ObjectNode s = JSON.createObjectNode();
        s.put("Sid", g.statementId());
        s.put("Effect", "Allow");
        String p = g.principal();
        if (p.equals("*")) {
            s.put("Principal", "*");
        } else if (ACCOUNT.matcher(p).matches()) {
            s.putObject("Principal").put("AWS", "arn:aws:iam::" + p + ":root");
        } else {
            s.putObject("Principal").put("AWS", p);
        }
        s.put("Action", g.action());
        s.put("Resource", resource);
        if (g.organizationId() != null) {
            s.putObject("Condition").putObject("StringEquals").put("aws:PrincipalOrgID", g.organizationId());
        }
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ThawException validation(String value, String field, String constraint) {
        return ThawException.invalidParameter("1 validation error detected: Value '" + value + "' at '" + field
                + "' failed to satisfy constraint: Member must satisfy " + constraint);
    }
}
