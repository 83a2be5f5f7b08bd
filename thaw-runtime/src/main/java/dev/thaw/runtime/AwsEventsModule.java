package dev.thaw.runtime;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.Deserializers;
import com.fasterxml.jackson.databind.introspect.ClassIntrospector;
import com.fasterxml.jackson.databind.ser.Serializers;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * The special (de)serialisation rules AWS's Java runtime applies to aws-lambda-java-events classes (its
 * aws-lambda-java-serialization library), so typed events arrive populated as they do on AWS. The event classes
 * live in the function's class loader, so everything here is keyed by class name: mix-ins (JSON names that
 * differ from the bean names, DynamoDB's epoch-seconds Date), constructor-based deserialisers for S3's
 * notification classes (which have no default constructor) and a Joda
 * {@code DateTime} (de)serialiser that calls the function's own Joda by reflection.
 */
final class AwsEventsModule extends Module {

    private static final String EVENTS = "com.amazonaws.services.lambda.runtime.events.";
    private static final String S3 = EVENTS + "models.s3.S3EventNotification$";
    private static final String JODA_DATE_TIME = "org.joda.time.DateTime";

    /** Mix-ins by target class name; resolved for any class loader. */
    static final ClassIntrospector.MixInResolver MIX_INS = new NameMixInResolver(Map.ofEntries(
            Map.entry(EVENTS + "ScheduledEvent", ScheduledEventMixin.class),
            Map.entry(EVENTS + "models.dynamodb.StreamRecord", StreamRecordMixin.class),
            Map.entry("com.amazonaws.services.dynamodbv2.model.StreamRecord", StreamRecordMixin.class)));

    @Override
    public String getModuleName() {
        return "thaw-aws-events";
    }

    @Override
    public Version version() {
        return Version.unknownVersion();
    }

    @Override
    public void setupModule(SetupContext context) {
        context.addDeserializers(new Deserializers.Base() {
            @Override
            public JsonDeserializer<?> findBeanDeserializer(JavaType type, DeserializationConfig config,
                    BeanDescription beanDesc) {
                String name = type.getRawClass().getName();
                if (name.equals(JODA_DATE_TIME)) {
                    return new JodaDateTimeDeserializer(type.getRawClass());
                }
                List<String> parameters = S3_CONSTRUCTORS.get(name);
                return parameters == null ? null : new ConstructorDeserializer(type.getRawClass(), parameters);
            }
        });
        context.addSerializers(new Serializers.Base() {
            @Override
            public JsonSerializer<?> findSerializer(SerializationConfig config, JavaType type,
                    BeanDescription beanDesc) {
                return type.getRawClass().getName().equals(JODA_DATE_TIME) ? new ToStringSerializer() : null;
            }
        });
    }

    private record NameMixInResolver(Map<String, Class<?>> byName) implements ClassIntrospector.MixInResolver {
        @Override
        public Class<?> findMixInClassFor(Class<?> cls) {
            return byName.get(cls.getName());
        }

        @Override
        public ClassIntrospector.MixInResolver copy() {
            return this;
        }
    }

    /** Joda {@code DateTime} from an ISO-8601 string via its {@code DateTime(Object)} constructor, as AWS does. */
    static final class JodaDateTimeDeserializer extends JsonDeserializer<Object> {
        private final Constructor<?> constructor;

        JodaDateTimeDeserializer(Class<?> dateTimeClass) {
            try {
                constructor = dateTimeClass.getConstructor(Object.class);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("unexpected " + JODA_DATE_TIME + " without a (Object) constructor", e);
            }
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Object value = p.currentToken() == JsonToken.VALUE_NUMBER_INT ? (Object) p.getLongValue() : p.getValueAsString();
            if (value == null) {
                return null;
            }
            try {
                return constructor.newInstance(value);
            } catch (ReflectiveOperationException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                return ctxt.handleWeirdStringValue(constructor.getDeclaringClass(), String.valueOf(value),
                        "cannot parse as a date-time: %s", cause.getMessage());
            }
        }
    }

    /** Writes {@code toString()}: ISO-8601 for Joda's {@code DateTime}. */
    static final class ToStringSerializer extends JsonSerializer<Object> {
        @Override
        public void serialize(Object value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(value.toString());
        }
    }

    /** DynamoDB Streams' ApproximateCreationDateTime: (fractional) epoch seconds, as AWS's DateModule reads it. */
    static final class EpochSecondsDateDeserializer extends JsonDeserializer<Date> {
        @Override
        public Date deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            double seconds = p.getValueAsDouble();
            return seconds == 0.0 ? null : new Date((long) (seconds * 1000.0));
        }
    }

    static final class EpochSecondsDateSerializer extends JsonSerializer<Date> {
        @Override
        public void serialize(Date value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeNumber(value.getTime() / 1000.0);
        }
    }

    abstract static class ScheduledEventMixin {
        @JsonProperty("detail-type") abstract String getDetailType();
        @JsonProperty("detail-type") abstract void setDetailType(String detailType);
    }

    abstract static class StreamRecordMixin {
        @JsonProperty("ApproximateCreationDateTime") @JsonSerialize(using = EpochSecondsDateSerializer.class)
        abstract Date getApproximateCreationDateTime();
        @JsonProperty("ApproximateCreationDateTime") @JsonDeserialize(using = EpochSecondsDateDeserializer.class)
        abstract void setApproximateCreationDateTime(Date date);
    }

    /** S3's notification classes: JSON names of each one's constructor parameters, in order (as AWS's S3EventSerializer). */
    private static final Map<String, List<String>> S3_CONSTRUCTORS = Map.of(
            S3 + "S3EventNotificationRecord", List.of("awsRegion", "eventName", "eventSource", "eventTime",
                    "eventVersion", "requestParameters", "responseElements", "s3", "userIdentity"),
            S3 + "S3Entity", List.of("configurationId", "bucket", "object", "s3SchemaVersion"),
            S3 + "S3BucketEntity", List.of("name", "ownerIdentity", "arn"),
            S3 + "S3ObjectEntity", List.of("key", "size", "eTag", "versionId", "sequencer"),
            S3 + "UserIdentityEntity", List.of("principalId"),
            S3 + "RequestParametersEntity", List.of("sourceIPAddress"),
            S3 + "ResponseElementsEntity", List.of("x-amz-id-2", "x-amz-request-id"));

    /** Reads a JSON object into a class that only has a constructor: each parameter from its named property. */
    static final class ConstructorDeserializer extends JsonDeserializer<Object> {
        private final Constructor<?> constructor;
        private final List<String> names;

        ConstructorDeserializer(Class<?> type, List<String> names) {
            this.names = names;
            Constructor<?> found = null;
            for (Constructor<?> c : type.getConstructors()) {
                if (c.getParameterCount() == names.size()) {
                    found = c;
                }
            }
            if (found == null) {
                throw new IllegalStateException(type.getName() + " has no public " + names.size() + "-argument constructor");
            }
            this.constructor = found;
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode node = ctxt.readTree(p);
            if (!node.isObject()) {
                return ctxt.handleUnexpectedToken(constructor.getDeclaringClass(), p);
            }
            Class<?>[] types = constructor.getParameterTypes();
            Object[] args = new Object[types.length];
            for (int i = 0; i < types.length; i++) {
                JsonNode value = node.get(names.get(i));
                if (value != null && !value.isNull()) {
                    args[i] = ctxt.readTreeAsValue(value, types[i]);
                } else if (types[i].isPrimitive()) {
                    args[i] = ctxt.readTreeAsValue(ctxt.getNodeFactory().numberNode(0), types[i]);
                }
            }
            try {
                return constructor.newInstance(args);
            } catch (ReflectiveOperationException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                return ctxt.handleInstantiationProblem(constructor.getDeclaringClass(), args, cause);
            }
        }
    }
}
