package io.indexmigrator.local.template;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads CloudFormation/SAM YAML, turning the short-form intrinsic tags ({@code !Ref}, {@code
 * !GetAtt}, {@code !Sub}, ...) into their long form ({@code {"Ref": ...}}, {@code {"Fn::GetAtt":
 * [...]}}), so the resolver sees one shape whichever form the author used.
 */
final class IntrinsicYaml {
  private IntrinsicYaml() {}

  static Map<String, Object> read(Path file) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Yaml yaml = new Yaml(new IntrinsicConstructor(options));
    try (Reader reader = Files.newBufferedReader(file)) {
      Object root = yaml.load(reader);
      if (!(root instanceof Map<?, ?> map)) {
        throw new TemplateException(file + ": expected a YAML mapping at the top level");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> typed = (Map<String, Object>) map;
      return typed;
    } catch (IOException e) {
      throw new TemplateException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (YAMLException e) {
      throw new TemplateException(file + ": invalid YAML: " + e.getMessage(), e);
    }
  }

  private static final class IntrinsicConstructor extends SafeConstructor {
    IntrinsicConstructor(LoaderOptions options) {
      super(options);
      yamlMultiConstructors.put("!", new ShortFormIntrinsic());
    }

    private final class ShortFormIntrinsic extends AbstractConstruct {
      @Override
      public Object construct(Node node) {
        String tag = node.getTag().getValue().substring(1);
        Object value =
            switch (node) {
              case ScalarNode scalar -> constructScalar(scalar);
              case SequenceNode sequence -> constructSequence(sequence);
              case MappingNode mapping -> constructMapping(mapping);
              default -> throw new YAMLException("unsupported node for !" + tag);
            };
        Map<String, Object> longForm = new LinkedHashMap<>();
        switch (tag) {
          case "Ref", "Condition" -> longForm.put(tag, value);
          case "GetAtt" -> {
            // The scalar short form is "Resource.Attribute"; the attribute may itself contain dots.
            if (value instanceof String s) {
              int dot = s.indexOf('.');
              if (dot < 1) {
                throw new YAMLException("!GetAtt expects Resource.Attribute, got '" + s + "'");
              }
              longForm.put("Fn::GetAtt", List.of(s.substring(0, dot), s.substring(dot + 1)));
            } else {
              longForm.put("Fn::GetAtt", value);
            }
          }
          default -> longForm.put("Fn::" + tag, value);
        }
        return longForm;
      }
    }
  }
}
