package io.indexmigrator.local.sfn;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A state machine to serve locally, as SAM would create it.
 *
 * @param name state machine name; the last segment of {@code arn}
 * @param arn {@code arn:aws:states:<region>:<account>:stateMachine:<name>}
 * @param definitionJson the ASL definition with all template substitutions (Lambda ARNs, ...)
 *     already applied
 * @param roleArn the execution role, reported back by DescribeStateMachine and in execution history
 */
public record StateMachineSpec(String name, String arn, String definitionJson, String roleArn) {

  private static final Pattern STATE_MACHINE_ARN =
      Pattern.compile("arn:aws[a-z-]*:states:([a-z0-9-]+):(\\d{12}):stateMachine:([^:]+)");

  public StateMachineSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(arn, "arn");
    Objects.requireNonNull(definitionJson, "definitionJson");
    Objects.requireNonNull(roleArn, "roleArn");
    var matcher = STATE_MACHINE_ARN.matcher(arn);
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          "state machine "
              + name
              + ": arn must look like arn:aws:states:<region>:<12-digit account>:stateMachine:<name>, got "
              + arn);
    }
    if (!matcher.group(3).equals(name)) {
      throw new IllegalArgumentException(
          "state machine " + name + ": arn " + arn + " names a different state machine");
    }
  }

  /** The region part of {@link #arn()}. */
  public String region() {
    return arn.split(":")[3];
  }

  /** The account part of {@link #arn()}. */
  public String account() {
    return arn.split(":")[4];
  }
}
