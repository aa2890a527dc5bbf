/**
 * Real single-node OpenSearch and Elasticsearch clusters for tests, the CLI and benchmarks, started
 * from the integ-test zips on Maven Central.
 *
 * <p>Entry points: {@link io.indexmigrator.local.cluster.EngineVersion#parse} for names such as
 * {@code opensearch:2}, {@link io.indexmigrator.local.cluster.ClusterLauncher#start} with a {@link
 * io.indexmigrator.local.cluster.ClusterSpec}, and {@link
 * io.indexmigrator.local.cluster.SharedClusters} for tests that can share one cluster per engine.
 */
package io.indexmigrator.local.cluster;
