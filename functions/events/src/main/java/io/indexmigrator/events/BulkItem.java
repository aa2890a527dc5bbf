package io.indexmigrator.events;

/**
 * One item of a {@code _bulk} response, as handed to a routing function. Items are in the order of
 * the bulk request's actions, so {@code position} indexes the request too.
 *
 * @param position zero-based position in the response's {@code items}
 * @param action {@code index}, {@code create}, {@code update} or {@code delete}
 * @param index the concrete {@code _index} (an alias written to is already resolved here)
 * @param id the {@code _id}
 * @param status the item's HTTP status
 * @param result the item's {@code result} ({@code created}, {@code updated}, {@code deleted},
 *     {@code not_found}, {@code noop}), or null for a failed item
 * @param seqNo {@code _seq_no}, or null
 * @param primaryTerm {@code _primary_term}, or null
 */
public record BulkItem(
    int position,
    String action,
    String index,
    String id,
    int status,
    String result,
    Long seqNo,
    Long primaryTerm) {

  /**
   * True when the item gets a change event: a 2xx status, or a delete that found no document
   * (status 404, result {@code not_found}). The latter is published because the destination may
   * still hold a copy the source no longer has.
   */
  public boolean publishable() {
    if (status >= 200 && status < 300) {
      return true;
    }
    return "delete".equals(action) && status == 404 && "not_found".equals(result);
  }
}
