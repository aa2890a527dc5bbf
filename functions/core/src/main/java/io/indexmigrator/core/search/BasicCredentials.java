package io.indexmigrator.core.search;

import java.util.Objects;

/**
 * A username and password for HTTP basic authentication. {@link #toString()} never shows the
 * password.
 */
public record BasicCredentials(String username, String password) {
  public BasicCredentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
  }

  @Override
  public String toString() {
    return "BasicCredentials[username=" + username + ", password=***]";
  }
}
