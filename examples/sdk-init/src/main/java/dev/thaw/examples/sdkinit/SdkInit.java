package dev.thaw.examples.sdkinit;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetUrlRequest;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The INIT of a typical Java function that talks to AWS: an S3 client, a DynamoDB client and a Jackson
 * {@link ObjectMapper}, built once when the class loads. Nothing here calls AWS, and no connection is opened (the
 * credentials are dummies and the region is fixed), so a SnapStart checkpoint holds no socket. The handler does
 * pure work with the clients: it builds a GetObject and a PutItem request, asks the S3 client for an object URL,
 * and serializes a small order with the ObjectMapper.
 */
public class SdkInit implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Region REGION = Region.US_EAST_1;
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "not-a-real-secret"));
    private static final SdkHttpClient HTTP = UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(2))
            .socketTimeout(Duration.ofSeconds(5))
            .build();
    private static final S3Client S3 = S3Client.builder()
            .region(REGION)
            .credentialsProvider(CREDENTIALS)
            .httpClient(HTTP)
            .build();
    private static final DynamoDbClient DYNAMO = DynamoDbClient.builder()
            .region(REGION)
            .credentialsProvider(CREDENTIALS)
            .httpClient(HTTP)
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A small value for the ObjectMapper. */
    public record Order(String id, String customer, List<String> items, double total) {
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        String bucket = text(input, "bucket", "thaw-bench-bucket");
        String key = text(input, "key", "orders/42.json");
        String table = text(input, "table", "orders");

        GetObjectRequest get = GetObjectRequest.builder().bucket(bucket).key(key).build();
        String url = S3.utilities().getUrl(GetUrlRequest.builder().bucket(bucket).key(key).build()).toString();
        Order order = new Order("42", "bench", List.of("tea", "biscuits"), 7.5);
        String json;
        try {
            json = JSON.writeValueAsString(order);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        PutItemRequest put = PutItemRequest.builder()
                .tableName(table)
                .item(Map.of(
                        "pk", AttributeValue.fromS("order#" + order.id()),
                        "customer", AttributeValue.fromS(order.customer()),
                        "items", AttributeValue.fromSs(order.items()),
                        "body", AttributeValue.fromS(json)))
                .build();

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("s3Region", S3.serviceClientConfiguration().region().id());
        out.put("dynamoDbRegion", DYNAMO.serviceClientConfiguration().region().id());
        out.put("getObject", get.bucket() + "/" + get.key());
        out.put("url", url);
        out.put("putItemTable", put.tableName());
        out.put("putItemAttributes", put.item().size());
        out.put("order", json);
        return out;
    }

    private static String text(Map<String, Object> input, String name, String fallback) {
        Object v = input == null ? null : input.get(name);
        return v == null ? fallback : v.toString();
    }
}
