/** Thin Lambda handlers: parse, call the core, map the result or error. */
package io.indexmigrator.functions;
