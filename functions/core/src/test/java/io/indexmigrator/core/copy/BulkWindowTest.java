package io.indexmigrator.core.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BulkWindowTest {
  @Test
  void startsAtAWholePage_halvesWhenThrottled_downToASixteenth() {
    BulkWindow window = new BulkWindow(1000);
    assertThat(window.size()).isEqualTo(1000);
    window.throttled();
    assertThat(window.size()).isEqualTo(500);
    for (int i = 0; i < 10; i++) {
      window.throttled();
    }
    assertThat(window.size()).isEqualTo(62);
  }

  @Test
  void growsByATenthPerCleanRequest_upToAWholePage() {
    BulkWindow window = new BulkWindow(1000);
    window.throttled();
    window.clean();
    assertThat(window.size()).isEqualTo(600);
    for (int i = 0; i < 10; i++) {
      window.clean();
    }
    assertThat(window.size()).isEqualTo(1000);
  }

  @Test
  void aPageOfOne_staysOne() {
    BulkWindow window = new BulkWindow(1);
    window.throttled();
    assertThat(window.size()).isEqualTo(1);
    window.clean();
    assertThat(window.size()).isEqualTo(1);
  }

  @Test
  void refusesAnEmptyWindow() {
    assertThatThrownBy(() -> new BulkWindow(0)).hasMessageContaining("max >= 1, got 0");
  }
}
