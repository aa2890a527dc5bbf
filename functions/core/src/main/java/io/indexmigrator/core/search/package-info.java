/**
 * The OpenSearch access layer the whole core uses: {@link
 * io.indexmigrator.core.search.SearchCluster} states what the migration lifecycle needs from a
 * cluster, {@link io.indexmigrator.core.search.OpenSearchCluster} implements it over plain REST
 * calls that behave the same on OpenSearch 1.3/2.x/3.x and Elasticsearch 7.10.
 */
package io.indexmigrator.core.search;
