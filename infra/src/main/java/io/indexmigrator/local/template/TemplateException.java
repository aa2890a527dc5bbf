package io.indexmigrator.local.template;

/**
 * A template.yaml that cannot be loaded or resolved; the message names the resource and property.
 */
public final class TemplateException extends RuntimeException {
  public TemplateException(String message) {
    super(message);
  }

  public TemplateException(String message, Throwable cause) {
    super(message, cause);
  }
}
