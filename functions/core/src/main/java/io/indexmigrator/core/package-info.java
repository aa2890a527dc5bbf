/** Pure-Java migration core. Nothing here depends on AWS Lambda types. */
package io.indexmigrator.core;
