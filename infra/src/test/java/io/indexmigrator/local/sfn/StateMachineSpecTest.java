package io.indexmigrator.local.sfn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StateMachineSpecTest {

  private static final String ROLE = "arn:aws:iam::123456789012:role/r";

  @Test
  void regionAndAccountComeFromTheArn() {
    var spec =
        new StateMachineSpec(
            "Lifecycle",
            "arn:aws:states:eu-west-1:123456789012:stateMachine:Lifecycle",
            "{}",
            ROLE);

    assertThat(spec.region()).isEqualTo("eu-west-1");
    assertThat(spec.account()).isEqualTo("123456789012");
  }

  @Test
  void arnMustNameTheSameStateMachine() {
    assertThatThrownBy(
            () ->
                new StateMachineSpec(
                    "Lifecycle",
                    "arn:aws:states:eu-west-1:123456789012:stateMachine:Other",
                    "{}",
                    ROLE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Lifecycle")
        .hasMessageContaining("different state machine");
  }

  @Test
  void malformedArnIsRejectedWithTheExpectedShape() {
    assertThatThrownBy(
            () ->
                new StateMachineSpec(
                    "Lifecycle", "arn:aws:lambda:eu-west-1:1:function:x", "{}", ROLE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("arn:aws:states:<region>:<12-digit account>:stateMachine:<name>");
  }
}
