/**
 * Local twin of AWS Step Functions: our real ASL definitions executed by {@code
 * aws-local-stepfunctions} on Node, behind the Step Functions JSON API so {@code SfnClient} with an
 * endpoint override talks to it unchanged.
 */
package io.indexmigrator.local.sfn;
