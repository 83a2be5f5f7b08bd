package dev.thaw.tags;

import dev.thaw.errors.ThawException;
import dev.thaw.functions.Arns;
import dev.thaw.functions.FunctionService;
import dev.thaw.store.MetadataStore;

import java.util.List;
import java.util.Map;

/** A function's tags, addressed by its ARN as the tagging API addresses them. */
public final class Tags {
    private static final int MAX_TAGS = 50;

    private final FunctionService functions;
    private final MetadataStore store;

    public Tags(FunctionService functions, MetadataStore store) {
        this.functions = functions;
        this.store = store;
    }

    public void tag(String resourceArn, Map<String, String> tags) {
        String name = function(resourceArn);
        validate(tags);
        Map<String, String> current = store.tags(name);
        long added = tags.keySet().stream().filter(k -> !current.containsKey(k)).count();
        if (current.size() + added > MAX_TAGS) {
            throw ThawException.invalidParameter("A function can have at most " + MAX_TAGS + " tags.");
        }
        store.putTags(name, tags);
    }

    public void untag(String resourceArn, List<String> keys) {
        store.deleteTags(function(resourceArn), keys);
    }

    public Map<String, String> list(String resourceArn) {
        return store.tags(function(resourceArn));
    }

    /** The tags of a function by name (for GetFunction). */
    public Map<String, String> ofFunction(String functionName) {
        return store.tags(functionName);
    }

    /** Tags given to CreateFunction are checked before the function exists. */
    public static void validate(Map<String, String> tags) {
        if (tags.size() > MAX_TAGS) {
            throw ThawException.invalidParameter("A function can have at most " + MAX_TAGS + " tags.");
        }
        tags.forEach((k, v) -> {
            if (k.isEmpty() || k.length() > 128) {
                throw ThawException.invalidParameter("Tag keys must be 1-128 characters: '" + k + "'.");
            }
            if (k.toLowerCase(java.util.Locale.ROOT).startsWith("aws:")) {
                throw ThawException.invalidParameter("Tag keys starting with 'aws:' are reserved: '" + k + "'.");
            }
            if (v.length() > 256) {
                throw ThawException.invalidParameter("Tag values must be at most 256 characters (key '" + k + "').");
            }
        });
    }

    /** Tags belong to functions: the ARN must name one, unqualified. */
    private String function(String resourceArn) {
        Arns.FunctionRef ref = functions.arns().parse(resourceArn);
        if (ref.qualifier().isPresent()) {
            throw ThawException.invalidParameter("Tags are set on a function, not on a version or alias: "
                    + resourceArn);
        }
        functions.get(ref.name(), null);
        return ref.name();
    }
}
