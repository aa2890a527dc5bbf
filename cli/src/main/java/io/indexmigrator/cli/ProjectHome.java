package io.indexmigrator.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the project checkout is: template.yaml, statemachine/ and the build outputs. */
final class ProjectHome {
  private ProjectHome() {}

  static Path get() {
    String configured = System.getProperty("migrator.home");
    Path start = Path.of(configured != null ? configured : "").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("template.yaml"))
          && Files.isDirectory(dir.resolve("statemachine"))) {
        return dir;
      }
    }
    throw new UserError(
        "cannot find the project (template.yaml and statemachine/) from "
            + start
            + "; run bin/migrator from the checkout");
  }

  static Path defaultStateDir() {
    return get().resolve(".migrator").resolve("local");
  }
}
