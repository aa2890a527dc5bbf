package io.indexmigrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.indexmigrator.core.recipe.Recipe;
import io.indexmigrator.core.recipe.RecipeException;
import io.indexmigrator.core.recipe.RecipeLoader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code migrator init <name> --file recipe.yaml}. */
@Command(
    name = "init",
    description =
        "Validate a recipe, store it, and create the destination indexes (bulk-load settings).")
final class InitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Deployment.Options deployment;

  @Parameters(index = "0", description = "Recipe name (must match the recipe's name field).")
  String name;

  @Option(
      names = {"-f", "--file"},
      required = true,
      description = "Recipe file (YAML or JSON).")
  Path file;

  @Option(
      names = "--in-place",
      description =
          "Apply an additive change (new fields, dynamic settings) to the live index; no copy.")
  boolean inPlace;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (!Files.isRegularFile(file)) {
      throw new UserError("recipe file " + file + " does not exist");
    }
    RecipeLoader loader = new RecipeLoader();
    Recipe recipe;
    try {
      recipe = loader.load(file);
    } catch (RecipeException e) {
      throw new UserError(file + ": " + e.getMessage());
    }
    if (!recipe.name().equals(name)) {
      throw new UserError(
          "the recipe in " + file + " is named '" + recipe.name() + "', not '" + name + "'");
    }
    var request = ControlCall.JSON.createObjectNode();
    request.put("action", "init").put("document", loader.toJson(recipe)).put("inPlace", inPlace);
    JsonNode report = ControlCall.invoke(deployment.resolve(), request);
    if (json) {
      out.println(ControlCall.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
      return 0;
    }
    if (report.path("appliedInPlace").asBoolean()) {
      out.println("applied in place to the live indexes; nothing to copy:");
    } else {
      out.println(
          "recipe '"
              + name
              + "' initialized (generation "
              + report.path("generation").asInt()
              + "):");
    }
    for (JsonNode index : report.path("indexes")) {
      out.printf(
          "  %s -> %s  %,d docs, %d slices%s%s%n",
          index.path("source").asText(),
          index.path("destination").asText(),
          index.path("docsTotal").asLong(),
          index.path("slices").asInt(),
          index.path("aliases").isEmpty() ? "" : ", aliases " + index.path("aliases"),
          index.path("created").asBoolean() ? "" : " (destination existed)");
    }
    if (!report.path("appliedInPlace").asBoolean()) {
      if (report.path("inPlacePossible").asBoolean()) {
        out.println(
            "note: every change is additive; 'migrator cancel "
                + name
                + "' then 'init --in-place' would apply it without a copy");
      }
      out.println("next: migrator run " + name);
    }
    return 0;
  }
}
