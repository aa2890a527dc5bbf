package io.indexmigrator.local.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterLauncherTest {

  @Test
  void start_refusesAPortThatIsInUseBeforeStartingAnything(@TempDir Path cache) throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      ClusterLauncher launcher = new ClusterLauncher(cache, Duration.ofSeconds(5));
      ClusterSpec spec = ClusterSpec.of(EngineVersion.DEFAULT).withHttpPort(port);

      assertThatThrownBy(() -> launcher.start(spec))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("port " + port + " is already in use");
    }
    // Nothing was downloaded or unpacked: the check comes first.
    assertThat(cache).isEmptyDirectory();
  }

  @Test
  void requireFree_acceptsAFreePort() {
    int port = ClusterLauncher.freePort();

    assertThat(ClusterLauncher.requireFree(port)).isEqualTo(port);
  }

  @Test
  void relocateJvmOptions_movesRelativeLogAndDataPathsIntoTheWorkDir() {
    String options =
        String.join(
            "\n",
            "-XX:HeapDumpPath=data",
            "-XX:ErrorFile=logs/hs_err_pid%p.log",
            "8:-Xloggc:logs/gc.log",
            "9-:-Xlog:gc*,gc+age=trace,safepoint:file=logs/gc.log:utctime,pid,tags:filecount=32",
            "-Xss1m");

    String relocated = ClusterLauncher.relocateJvmOptions(options, Path.of("/tmp/work"));

    assertThat(relocated)
        .isEqualTo(
            String.join(
                "\n",
                "-XX:HeapDumpPath=/tmp/work/data",
                "-XX:ErrorFile=/tmp/work/logs/hs_err_pid%p.log",
                "8:-Xloggc:/tmp/work/logs/gc.log",
                "9-:-Xlog:gc*,gc+age=trace,safepoint:file=/tmp/work/logs/gc.log:utctime,pid,tags:filecount=32",
                "-Xss1m"));
  }

  @Test
  void clusterSpec_rejectsBadValuesByName() {
    ClusterSpec spec = ClusterSpec.of(EngineVersion.DEFAULT);

    assertThat(spec.httpPort()).isZero();
    assertThat(spec.heap()).isEqualTo("512m");
    assertThatThrownBy(() -> spec.withHeap("lots")).hasMessageContaining("heap 'lots'");
    assertThatThrownBy(() -> spec.withHttpPort(70000)).hasMessageContaining("70000");
    assertThatThrownBy(() -> spec.withClusterName("a b")).hasMessageContaining("'a b'");
    assertThat(spec.withSetting("x", "1").withSetting("y", "2").settings())
        .containsEntry("x", "1")
        .containsEntry("y", "2");
  }
}
