package io.indexmigrator.core.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * An asynchronous {@code _reindex} to start. Build with {@link #builder(String, String)}.
 *
 * @param sourceIndex index (or alias) read from
 * @param destinationIndex index written to
 * @param query only documents matching this query are copied, or {@code null} for all
 * @param sliceId manual slice this request copies, or {@code null}; set together with {@code
 *     sliceMax}
 * @param sliceMax number of manual slices, or {@code null}
 * @param automaticSlices {@code _reindex}'s own parallelism: {@code null} none, {@code 0} auto, or
 *     a count; cannot be combined with a manual slice
 * @param batchSize documents per scroll batch
 * @param requestsPerSecond throttle, {@code -1} for none
 * @param scriptSource script run on every document, or {@code null}
 * @param scriptLang script language, {@code null} for the cluster default (painless)
 * @param scriptParams script parameters, or {@code null}
 * @param pipeline ingest pipeline on the destination, or {@code null}
 * @param remote remote cluster to read from, or {@code null} for this cluster
 * @param opType {@code create} to skip documents already in the destination, or {@code null}
 *     ({@code index})
 * @param versionType destination version type (e.g. {@code external}), or {@code null}
 * @param proceedOnConflicts count version conflicts instead of aborting on them
 * @param refreshAtEnd have the engine refresh the destination as the task (each of its slices)
 *     ends: the copied documents are searchable when the task reports done, and the slices that end
 *     first refresh while the others still copy, so the refresh after the last one is short
 */
public record ReindexRequest(
    String sourceIndex,
    String destinationIndex,
    ObjectNode query,
    Integer sliceId,
    Integer sliceMax,
    Integer automaticSlices,
    int batchSize,
    double requestsPerSecond,
    String scriptSource,
    String scriptLang,
    ObjectNode scriptParams,
    String pipeline,
    RemoteSource remote,
    String opType,
    String versionType,
    boolean proceedOnConflicts,
    boolean refreshAtEnd) {

  public ReindexRequest {
    Objects.requireNonNull(sourceIndex, "sourceIndex");
    Objects.requireNonNull(destinationIndex, "destinationIndex");
    if ((sliceId == null) != (sliceMax == null)) {
      throw new IllegalArgumentException("sliceId and sliceMax go together");
    }
    if (sliceId != null && (sliceMax < 2 || sliceId < 0 || sliceId >= sliceMax)) {
      throw new IllegalArgumentException(
          "manual slice must satisfy 0 <= id < max and max >= 2, got " + sliceId + "/" + sliceMax);
    }
    if (sliceId != null && automaticSlices != null) {
      throw new IllegalArgumentException("manual and automatic slicing cannot be combined");
    }
    if (automaticSlices != null && automaticSlices < 0) {
      throw new IllegalArgumentException("automaticSlices must be 0 (auto) or >= 1");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    if (requestsPerSecond != -1 && !(requestsPerSecond > 0)) {
      throw new IllegalArgumentException("requestsPerSecond must be -1 or > 0");
    }
    query = query == null ? null : query.deepCopy();
    scriptParams = scriptParams == null ? null : scriptParams.deepCopy();
  }

  public static Builder builder(String sourceIndex, String destinationIndex) {
    return new Builder(sourceIndex, destinationIndex);
  }

  /**
   * A remote cluster to reindex from; the destination cluster must allow it in {@code
   * reindex.remote.allowlist}.
   *
   * @param host scheme, host and port, e.g. {@code https://old-cluster:9200}
   * @param username basic-auth user, or {@code null}
   * @param password basic-auth password, or {@code null}
   */
  public record RemoteSource(String host, String username, String password) {
    public RemoteSource {
      Objects.requireNonNull(host, "host");
    }

    @Override
    public String toString() {
      return "RemoteSource[host=" + host + ", username=" + username + ", password=***]";
    }
  }

  /** Fluent construction; unset values get the cluster defaults. */
  public static final class Builder {
    private final String sourceIndex;
    private final String destinationIndex;
    private ObjectNode query;
    private Integer sliceId;
    private Integer sliceMax;
    private Integer automaticSlices;
    private int batchSize = 1000;
    private double requestsPerSecond = -1;
    private String scriptSource;
    private String scriptLang;
    private ObjectNode scriptParams;
    private String pipeline;
    private RemoteSource remote;
    private String opType;
    private String versionType;
    private boolean proceedOnConflicts;
    private boolean refreshAtEnd;

    private Builder(String sourceIndex, String destinationIndex) {
      this.sourceIndex = sourceIndex;
      this.destinationIndex = destinationIndex;
    }

    public Builder query(ObjectNode query) {
      this.query = query;
      return this;
    }

    /** Copy only manual slice {@code id} of {@code max}; {@code max == 1} means no slicing. */
    public Builder slice(int id, int max) {
      if (max == 1 && id == 0) {
        this.sliceId = null;
        this.sliceMax = null;
      } else {
        this.sliceId = id;
        this.sliceMax = max;
      }
      return this;
    }

    /** Let {@code _reindex} split the work itself: {@code 0} means auto. */
    public Builder automaticSlices(int slices) {
      this.automaticSlices = slices;
      return this;
    }

    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder requestsPerSecond(double requestsPerSecond) {
      this.requestsPerSecond = requestsPerSecond;
      return this;
    }

    public Builder script(String source, String lang, ObjectNode params) {
      this.scriptSource = source;
      this.scriptLang = lang;
      this.scriptParams = params;
      return this;
    }

    public Builder pipeline(String pipeline) {
      this.pipeline = pipeline;
      return this;
    }

    public Builder remote(RemoteSource remote) {
      this.remote = remote;
      return this;
    }

    public Builder opType(String opType) {
      this.opType = opType;
      return this;
    }

    public Builder versionType(String versionType) {
      this.versionType = versionType;
      return this;
    }

    public Builder proceedOnConflicts(boolean proceed) {
      this.proceedOnConflicts = proceed;
      return this;
    }

    public Builder refreshAtEnd(boolean refresh) {
      this.refreshAtEnd = refresh;
      return this;
    }

    public ReindexRequest build() {
      return new ReindexRequest(
          sourceIndex,
          destinationIndex,
          query,
          sliceId,
          sliceMax,
          automaticSlices,
          batchSize,
          requestsPerSecond,
          scriptSource,
          scriptLang,
          scriptParams,
          pipeline,
          remote,
          opType,
          versionType,
          proceedOnConflicts,
          refreshAtEnd);
    }
  }
}
