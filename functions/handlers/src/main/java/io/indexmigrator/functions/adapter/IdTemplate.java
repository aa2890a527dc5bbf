package io.indexmigrator.functions.adapter;

import io.indexmigrator.core.config.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * How a document {@code _id} is built from an item: literal text with {@code {attribute}}
 * placeholders, such as {@code {pk}} or {@code {tenant}:{recordId}}. A literal brace is written
 * twice ({@code {{} or {@code }}}).
 */
public final class IdTemplate {
  private final String text;
  private final List<Part> parts;

  private IdTemplate(String text, List<Part> parts) {
    this.text = text;
    this.parts = List.copyOf(parts);
  }

  /**
   * Parses a template.
   *
   * @throws ConfigurationException when a brace is unbalanced, a placeholder is empty, or there is
   *     no placeholder at all (every item would get the same id)
   */
  public static IdTemplate parse(String text) {
    List<Part> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if ((c == '{' || c == '}') && i + 1 < text.length() && text.charAt(i + 1) == c) {
        literal.append(c);
        i += 2;
      } else if (c == '{') {
        int end = text.indexOf('}', i + 1);
        if (end < 0) {
          throw invalid(text, "'{' at position " + i + " is never closed");
        }
        String attribute = text.substring(i + 1, end);
        if (attribute.isBlank() || attribute.contains("{")) {
          throw invalid(text, "placeholder at position " + i + " names no attribute");
        }
        if (!literal.isEmpty()) {
          parts.add(new Part(literal.toString(), null));
          literal.setLength(0);
        }
        parts.add(new Part(null, attribute));
        i = end + 1;
      } else if (c == '}') {
        throw invalid(text, "'}' at position " + i + " closes nothing (write '}}' for a brace)");
      } else {
        literal.append(c);
        i++;
      }
    }
    if (!literal.isEmpty()) {
      parts.add(new Part(literal.toString(), null));
    }
    if (parts.stream().noneMatch(p -> p.attribute() != null)) {
      throw invalid(text, "it has no {attribute} placeholder, so every item would get one id");
    }
    return new IdTemplate(text, parts);
  }

  /** The template that joins the given key attributes, in order, with {@code :}. */
  public static IdTemplate joining(List<String> keyAttributes) {
    List<Part> parts = new ArrayList<>();
    for (String attribute : keyAttributes) {
      if (!parts.isEmpty()) {
        parts.add(new Part(":", null));
      }
      parts.add(new Part(null, attribute));
    }
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("a key schema has at least one attribute");
    }
    return new IdTemplate(
        String.join(":", keyAttributes.stream().map(a -> "{" + a + "}").toList()), parts);
  }

  /** The attributes the template reads, in order. */
  public List<String> attributes() {
    return parts.stream().map(Part::attribute).filter(a -> a != null).toList();
  }

  /**
   * Fills the template.
   *
   * @param lookup the value of an attribute, or null when the item lacks it
   * @throws UnmappableRecordException naming the first attribute that is missing or is neither a
   *     string nor a number
   */
  String apply(Function<String, StreamChange.Scalar> lookup) {
    StringBuilder id = new StringBuilder();
    for (Part part : parts) {
      if (part.literal() != null) {
        id.append(part.literal());
        continue;
      }
      StreamChange.Scalar value = lookup.apply(part.attribute());
      if (value == null) {
        throw new UnmappableRecordException(
            "id template " + text + ": attribute '" + part.attribute() + "' is missing");
      }
      if (!value.usable()) {
        throw new UnmappableRecordException(
            "id template "
                + text
                + ": attribute '"
                + part.attribute()
                + "' is of type "
                + value.type()
                + "; only strings (S) and numbers (N) can form an id");
      }
      id.append(value.text());
    }
    return id.toString();
  }

  @Override
  public String toString() {
    return text;
  }

  private static ConfigurationException invalid(String text, String why) {
    return new ConfigurationException(
        "ADAPTER_ID_TEMPLATE '" + text + "' is invalid: " + why + "; e.g. {pk} or {tenant}:{id}");
  }

  private record Part(String literal, String attribute) {}
}
