/**
 * How applications learn that a cross-cluster migration switched clusters: the switch document, and
 * the port through which it is published (an SSM parameter and an EventBridge event on AWS). No AWS
 * types here; the adapter lives with the handlers.
 */
package io.indexmigrator.core.publish;
