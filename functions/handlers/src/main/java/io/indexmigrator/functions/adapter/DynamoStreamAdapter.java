package io.indexmigrator.functions.adapter;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse.BatchItemFailure;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import io.indexmigrator.core.config.EnvironmentReader;
import io.indexmigrator.events.ChangeEvent;
import io.indexmigrator.events.ChangePublisher;
import io.indexmigrator.events.PublishException;
import io.indexmigrator.functions.AwsServiceClients;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;

/**
 * Publishes one change event per record of an application's DynamoDB stream, for applications that
 * index their DynamoDB items into a search index. Records that cannot become an event, and events
 * the sync queue did not accept, are reported as batch item failures by sequence number; Lambda
 * then retries from the earliest of them ({@code FunctionResponseTypes: [ReportBatchItemFailures]}
 * on the event source).
 */
public final class DynamoStreamAdapter
    implements RequestHandler<DynamodbEvent, StreamsEventResponse> {
  /** The environment variables this function reads; template.yaml must set the required ones. */
  public static final List<String> ENVIRONMENT = AdapterConfig.VARIABLES;

  /** Those of {@link #ENVIRONMENT} that have no default. */
  public static final List<String> REQUIRED_ENVIRONMENT = AdapterConfig.REQUIRED;

  private static final Logger LOG = LoggerFactory.getLogger(DynamoStreamAdapter.class);

  private final StreamChangeMapper mapper;
  private final ChangePublisher publisher;

  public DynamoStreamAdapter() {
    this(AdapterConfig.from(EnvironmentReader.system(ENVIRONMENT)));
  }

  private DynamoStreamAdapter(AdapterConfig config) {
    this(
        config,
        ChangePublisher.create(AwsServiceClients.sqs(), config.queueUrl()),
        new DescribedKeySchemas());
  }

  /**
   * @param keySchema the key attribute names of a table, partition key first (used only without
   *     {@code ADAPTER_ID_TEMPLATE})
   */
  public DynamoStreamAdapter(
      AdapterConfig config, ChangePublisher publisher, Function<String, List<String>> keySchema) {
    this.mapper = new StreamChangeMapper(config, keySchema);
    this.publisher = Objects.requireNonNull(publisher, "publisher");
  }

  @Override
  public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
    List<DynamodbStreamRecord> records =
        event == null || event.getRecords() == null ? List.of() : event.getRecords();
    Set<String> failed = new HashSet<>();
    Map<ChangeEvent, String> sequenceOf = new IdentityHashMap<>();
    List<ChangeEvent> events = new ArrayList<>();
    for (DynamodbStreamRecord record : records) {
      String sequence =
          record.getDynamodb() == null ? null : record.getDynamodb().getSequenceNumber();
      if (sequence == null) {
        // Without a sequence number the record cannot be named; only a retry of it all helps.
        throw new IllegalArgumentException(
            "stream record " + record.getEventID() + " has no dynamodb.SequenceNumber");
      }
      StreamChange change = toChange(record, sequence);
      try {
        ChangeEvent published = mapper.map(change);
        sequenceOf.put(published, sequence);
        events.add(published);
      } catch (UnmappableRecordException e) {
        LOG.warn(
            "stream record {} ({} of {}) is not published: {}",
            sequence,
            record.getEventName(),
            change.keys(),
            e.getMessage());
        failed.add(sequence);
      }
    }
    int published = events.size();
    try {
      publisher.publishAll(events);
    } catch (PublishException e) {
      LOG.warn("{}", e.getMessage());
      published = e.published().eventsPublished();
      for (PublishException.Failure failure : e.failures()) {
        failed.add(sequenceOf.get(failure.event()));
      }
    }
    LOG.info(
        "{} stream records: {} events published, {} records failed",
        records.size(),
        published,
        failed.size());
    // In stream order: Lambda resumes from the earliest failure.
    List<BatchItemFailure> failures = new ArrayList<>();
    for (DynamodbStreamRecord record : records) {
      String sequence = record.getDynamodb().getSequenceNumber();
      if (failed.remove(sequence)) {
        failures.add(new BatchItemFailure(sequence));
      }
    }
    return StreamsEventResponse.builder().withBatchItemFailures(failures).build();
  }

  static StreamChange toChange(DynamodbStreamRecord record, String sequence) {
    var stream = record.getDynamodb();
    Map<String, AttributeValue> image =
        "REMOVE".equals(record.getEventName()) ? stream.getOldImage() : stream.getNewImage();
    return new StreamChange(
        record.getEventName(),
        sequence,
        tableOf(record.getEventSourceARN()),
        scalars(stream.getKeys()),
        scalars(image));
  }

  /** The table name inside {@code arn:aws:dynamodb:region:account:table/NAME/stream/LABEL}. */
  static String tableOf(String streamArn) {
    if (streamArn == null) {
      return null;
    }
    int table = streamArn.indexOf(":table/");
    if (table < 0) {
      return null;
    }
    String rest = streamArn.substring(table + ":table/".length());
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }

  private static Map<String, StreamChange.Scalar> scalars(Map<String, AttributeValue> attributes) {
    Map<String, StreamChange.Scalar> out = new LinkedHashMap<>();
    if (attributes != null) {
      attributes.forEach((name, value) -> out.put(name, scalar(value)));
    }
    return out;
  }

  private static StreamChange.Scalar scalar(AttributeValue value) {
    if (value == null) {
      return new StreamChange.Scalar("NULL", null);
    }
    if (value.getS() != null) {
      return StreamChange.Scalar.string(value.getS());
    }
    if (value.getN() != null) {
      return StreamChange.Scalar.number(value.getN());
    }
    String type;
    if (value.getB() != null) {
      type = "B";
    } else if (value.getBOOL() != null) {
      type = "BOOL";
    } else if (value.getM() != null) {
      type = "M";
    } else if (value.getL() != null) {
      type = "L";
    } else if (value.getSS() != null) {
      type = "SS";
    } else if (value.getNS() != null) {
      type = "NS";
    } else if (value.getBS() != null) {
      type = "BS";
    } else {
      type = "NULL";
    }
    return new StreamChange.Scalar(type, null);
  }

  /**
   * Key schemas read with DescribeTable. The DynamoDB client is built on first use: with {@code
   * ADAPTER_ID_TEMPLATE}, or on tables with a partition key only, it is never needed, and building
   * it would only lengthen the cold start.
   */
  private static final class DescribedKeySchemas implements Function<String, List<String>> {
    private DynamoDbClient dynamo;

    @Override
    public synchronized List<String> apply(String table) {
      if (dynamo == null) {
        dynamo = AwsServiceClients.dynamo();
      }
      return dynamo.describeTable(r -> r.tableName(table)).table().keySchema().stream()
          .sorted(Comparator.comparing(k -> k.keyType() == KeyType.HASH ? 0 : 1))
          .map(KeySchemaElement::attributeName)
          .toList();
    }
  }
}
