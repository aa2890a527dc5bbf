package io.indexmigrator.core.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.indexmigrator.core.copy.ReaderCursor.Kind;
import org.junit.jupiter.api.Test;

class ReaderCursorTest {

  @Test
  void aCursor_survivesItsTextForm() {
    ReaderCursor cursor =
        new ReaderCursor(Kind.POINT_IN_TIME, "pit==/+", "[9007199254740993]", true, 7, 5, 1, 1, 2);

    ReaderCursor back = ReaderCursor.fromJson(cursor.toJson());

    assertThat(back).isEqualTo(cursor);
    // Sort values stay text: a long above 2^53 would lose digits as a JSON double elsewhere.
    assertThat(back.searchAfterJson()).isEqualTo("[9007199254740993]");
  }

  @Test
  void aFinishedCursor_hasNoContext() {
    ReaderCursor done = new ReaderCursor(Kind.SCROLL, null, null, true, 3, 3, 0, 0, 1);

    assertThat(ReaderCursor.fromJson(done.toJson()).finished()).isTrue();
  }

  @Test
  void textThatIsNoCursor_isRefusedClearly() {
    assertThatThrownBy(() -> ReaderCursor.fromJson("not json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not JSON");
    assertThatThrownBy(() -> ReaderCursor.fromJson(""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ReaderCursor.fromJson("[1]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a JSON object");
    String valid = new ReaderCursor(Kind.SCROLL, "s", null, false, 1, 1, 0, 0, 1).toJson();
    assertThatThrownBy(() -> ReaderCursor.fromJson(valid.replace("SCROLL", "SLICE")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kind");
    assertThatThrownBy(() -> ReaderCursor.fromJson(valid.replace("\"read\":1", "\"read\":\"1\"")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("read");
    assertThatThrownBy(() -> ReaderCursor.fromJson(valid.replace("\"format\":1", "\"format\":2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("format");
    assertThatThrownBy(() -> ReaderCursor.fromJson(valid.replace("\"read\":1", "\"read\":-1")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
