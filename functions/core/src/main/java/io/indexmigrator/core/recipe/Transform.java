package io.indexmigrator.core.recipe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/** How documents are changed on their way to the destination. */
public sealed interface Transform permits Transform.Script, Transform.Pipeline {

  /**
   * A script run by {@code _reindex} on every document.
   *
   * @param source script source
   * @param lang script language; {@code painless} unless the recipe says otherwise
   * @param params script parameters, or {@code null}
   */
  record Script(String source, String lang, ObjectNode params) implements Transform {
    public static final String DEFAULT_LANG = "painless";

    public Script {
      Objects.requireNonNull(source, "source");
      lang = lang == null ? DEFAULT_LANG : lang;
      params = params == null ? null : params.deepCopy();
    }

    @Override
    public ObjectNode params() {
      return params == null ? null : params.deepCopy();
    }
  }

  /**
   * An ingest pipeline the destination writes go through.
   *
   * @param name pipeline id; it must exist on the destination cluster
   */
  record Pipeline(String name) implements Transform {
    public Pipeline {
      Objects.requireNonNull(name, "name");
    }
  }
}
