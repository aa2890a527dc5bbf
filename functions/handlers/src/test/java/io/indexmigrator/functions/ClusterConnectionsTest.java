package io.indexmigrator.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.indexmigrator.core.config.ConfigurationException;
import io.indexmigrator.core.search.BasicCredentials;
import io.indexmigrator.core.search.CredentialsSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ClusterConnectionsTest {
  static final String ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cluster-AbCdEf";

  /** Everything a log line or an error record could show of {@code t}: messages, causes, trace. */
  private static String everythingShown(Throwable t) {
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    return t + "\n" + trace;
  }

  @Test
  void plaintextSecret_failsWithoutEchoingIt() {
    // Stored as the console's "plaintext" tab invites: just the password.
    Throwable e = catchThrowable(() -> ClusterConnections.parse(ARN, "Tr0ub4dor&3-plaintext"));

    assertThat(e).isInstanceOf(ConfigurationException.class).hasMessageContaining(ARN);
    assertThat(e.getMessage()).contains("\"username\" and \"password\"");
    assertThat(everythingShown(e)).doesNotContain("Tr0ub4dor");
  }

  @Test
  void brokenJsonSecret_failsWithoutEchoingIt() {
    Throwable e =
        catchThrowable(
            () ->
                ClusterConnections.parse(
                    ARN, "{\"username\": \"admin\", \"password\": s3cr3tPass}"));

    assertThat(e).isInstanceOf(ConfigurationException.class);
    assertThat(everythingShown(e)).doesNotContain("s3cr3t");
  }

  @Test
  void secretWithoutAPassword_isNamed() {
    Throwable e = catchThrowable(() -> ClusterConnections.parse(ARN, "{\"username\": \"admin\"}"));

    assertThat(e).isInstanceOf(ConfigurationException.class).hasMessageContaining(ARN);
  }

  @Test
  void nonTextPassword_isRefusedWithoutEchoingIt() {
    Throwable e =
        catchThrowable(
            () -> ClusterConnections.parse(ARN, "{\"username\": \"a\", \"password\": 98765432}"));

    assertThat(e).isInstanceOf(ConfigurationException.class);
    assertThat(everythingShown(e)).doesNotContain("98765432");
  }

  @Test
  void jsonSecret_givesItsCredentials() {
    assertThat(ClusterConnections.parse(ARN, "{\"username\": \"admin\", \"password\": \"p\"}"))
        .isEqualTo(new BasicCredentials("admin", "p"));
  }

  @Test
  void refusedCredentials_makeTheNextRequestReadTheSecretAgain() {
    AtomicReference<String> stored =
        new AtomicReference<>("{\"username\":\"u\",\"password\":\"1\"}");
    AtomicInteger reads = new AtomicInteger();
    CredentialsSource source =
        ClusterConnections.fromSecret(
            ARN,
            arn -> {
              assertThat(arn).isEqualTo(ARN);
              reads.incrementAndGet();
              return stored.get();
            });

    BasicCredentials first = source.current();
    source.current();
    stored.set("{\"username\":\"u\",\"password\":\"2\"}");
    source.refused(first);

    assertThat(source.current().password()).isEqualTo("2");
    assertThat(reads).hasValue(2);
  }

  @Test
  void unreadableSecret_namesTheSecretAndTheReason() {
    CredentialsSource source =
        ClusterConnections.fromSecret(
            ARN,
            arn -> {
              throw new IllegalStateException("User is not authorized to GetSecretValue");
            });

    assertThat(catchThrowable(source::current))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(ARN)
        .hasMessageContaining("not authorized");
  }
}
