package io.indexmigrator.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageKeysTest {
  @Test
  void groupIdIsOneOfAFixedNumberOfGroups() {
    Set<String> groups = new HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      String group = MessageKeys.groupId("orders", Integer.toString(i));
      assertThat(group).matches("doc-[0-9]{1,3}");
      groups.add(group);
    }
    // Spread over all of them, so no group is a hot spot and none is wasted.
    assertThat(groups).hasSize(MessageKeys.GROUPS);
  }

  @Test
  void everyEventOfADocumentGetsTheSameGroupWhateverItsId() {
    String awkward = "\u00fcn\u00efcode id with spaces " + "x".repeat(200);
    assertThat(MessageKeys.groupId("orders", awkward))
        .isEqualTo(MessageKeys.groupId("orders", awkward))
        .matches("doc-[0-9]{1,3}");
  }

  @Test
  void hashSeparatesIndexFromId() {
    // Without a separator both would hash "ab" + "c"; these two land in different groups.
    assertThat(MessageKeys.groupId("a", "bc")).isNotEqualTo(MessageKeys.groupId("ab", "c"));
  }

  @Test
  void dedupIdIsStableForTheSameWriteOnly() {
    ChangeEvent write = new ChangeEvent("orders", "42", ChangeEvent.Op.INDEX, 7L, 1L, null);
    String id = MessageKeys.deduplicationId(write);
    assertThat(id).matches("[0-9a-f]{64}");
    assertThat(MessageKeys.deduplicationId(write)).isEqualTo(id);
    assertThat(
            MessageKeys.deduplicationId(
                new ChangeEvent("orders", "42", ChangeEvent.Op.INDEX, 8L, 1L, null)))
        .isNotEqualTo(id);
    assertThat(
            MessageKeys.deduplicationId(
                new ChangeEvent("orders", "42", ChangeEvent.Op.DELETE, 7L, 1L, null)))
        .isNotEqualTo(id);
  }

  @Test
  void dedupIdIsRandomWithoutSequenceNumber() {
    ChangeEvent write = ChangeEvent.indexed("orders", "42");
    assertThat(MessageKeys.deduplicationId(write)).isNotEqualTo(MessageKeys.deduplicationId(write));
  }

  @Test
  void idsMatchTheRuleDocumentedForOtherLanguages() {
    // Values computed with Python's hashlib from the recipe in docs/change-events.md.
    assertThat(MessageKeys.groupId("orders", "a b")).isEqualTo("doc-82");
    assertThat(MessageKeys.groupId("orders", "42")).isEqualTo("doc-20");
    assertThat(MessageKeys.groupId("orders", "\u00e9")).isEqualTo("doc-100");
    assertThat(
            MessageKeys.deduplicationId(
                new ChangeEvent("orders", "42", ChangeEvent.Op.INDEX, 7L, 1L, null)))
        .isEqualTo("ac7fd69fbc94e5a530a375e39555cd4527d039fca20b1720bcd4d8b5c800b0f2");
  }
}
