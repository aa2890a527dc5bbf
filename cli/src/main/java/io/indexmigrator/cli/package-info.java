/** The migrator command line. */
package io.indexmigrator.cli;
