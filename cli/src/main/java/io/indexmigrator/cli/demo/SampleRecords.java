package io.indexmigrator.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generated records of a research repository (the kind of index the tool is built for): stable ids,
 * titles, creators, years, keywords and a DOI. Deterministic for a seed, so runs compare.
 */
public final class SampleRecords {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> WORDS =
      List.of(
          "ocean",
          "climate",
          "protein",
          "neural",
          "galaxy",
          "soil",
          "quantum",
          "river",
          "genome",
          "archive",
          "language",
          "glacier",
          "catalyst",
          "network",
          "forest",
          "plasma",
          "enzyme",
          "migration",
          "sediment",
          "lattice",
          "coral",
          "signal",
          "virus",
          "theorem",
          "isotope");
  private static final List<String> NAMES =
      List.of(
          "Ada Lovelace",
          "Alan Turing",
          "Grace Hopper",
          "Rosalind Franklin",
          "Niels Bohr",
          "Marie Curie",
          "Emmy Noether",
          "Chien-Shiung Wu",
          "Srinivasa Ramanujan",
          "Lise Meitner");
  private static final List<String> TYPES =
      List.of("dataset", "publication", "software", "image", "poster", "presentation");

  private SampleRecords() {}

  public static String id(int n) {
    return String.format("rec-%07d", n);
  }

  public static ObjectNode record(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + n);
    ObjectNode doc = JSON.createObjectNode();
    doc.put("recid", id(n));
    doc.put(
        "title",
        capitalize(word(random))
            + " "
            + word(random)
            + " and the "
            + word(random)
            + " "
            + word(random));
    var creators = doc.putArray("creators");
    int count = 1 + random.nextInt(3);
    for (int i = 0; i < count; i++) {
      creators.add(NAMES.get(random.nextInt(NAMES.size())));
    }
    doc.put("publication_year", 1990 + random.nextInt(36));
    doc.put("resource_type", TYPES.get(random.nextInt(TYPES.size())));
    var keywords = doc.putArray("keywords");
    for (int i = 0; i < 2 + random.nextInt(3); i++) {
      keywords.add(word(random));
    }
    doc.put("doi", "10.5281/demo." + (100000 + n));
    doc.put("downloads", random.nextInt(10_000));
    return doc;
  }

  private static String word(SplittableRandom random) {
    return WORDS.get(random.nextInt(WORDS.size()));
  }

  private static String capitalize(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
