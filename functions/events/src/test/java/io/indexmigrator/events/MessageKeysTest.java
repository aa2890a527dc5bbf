package io.indexmigrator.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageKeysTest {
  @Test
  void plainGroupIdWhenShortAndPrintable() {
    assertThat(MessageKeys.groupId("orders", "42")).isEqualTo("orders/42");
    assertThat(MessageKeys.groupId("orders", "a:b/c~!")).isEqualTo("orders/a:b/c~!");
  }

  @Test
  void hashedGroupIdForOtherCharactersOrLength() {
    String withSpace = MessageKeys.groupId("orders", "a b");
    String nonAscii = MessageKeys.groupId("orders", "é");
    String longId = MessageKeys.groupId("orders", "x".repeat(122));
    for (String hashed : new String[] {withSpace, nonAscii, longId}) {
      assertThat(hashed).matches("[0-9a-f]{64}");
    }
    assertThat(withSpace).isNotEqualTo(nonAscii).isNotEqualTo(longId);
    // 128 characters exactly still fits.
    assertThat(MessageKeys.groupId("orders", "x".repeat(121))).hasSize(128).startsWith("orders/");
  }

  @Test
  void hashSeparatesIndexFromId() {
    // Without a separator both would hash "ab" + "c".
    assertThat(MessageKeys.groupId("a", "b c")).isNotEqualTo(MessageKeys.groupId("ab", " c"));
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
    assertThat(MessageKeys.groupId("orders", "a b"))
        .isEqualTo("dffb4a526284c10a432db7961b68f05ed6f8be5ef450b59bf89d0cabbc5f92d7");
    assertThat(
            MessageKeys.deduplicationId(
                new ChangeEvent("orders", "42", ChangeEvent.Op.INDEX, 7L, 1L, null)))
        .isEqualTo("ac7fd69fbc94e5a530a375e39555cd4527d039fca20b1720bcd4d8b5c800b0f2");
  }
}
