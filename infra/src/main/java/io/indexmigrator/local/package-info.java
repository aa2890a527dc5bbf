/** The local runtime: search clusters and the local twin of the AWS stack. */
package io.indexmigrator.local;
