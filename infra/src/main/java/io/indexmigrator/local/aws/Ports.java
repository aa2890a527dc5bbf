package io.indexmigrator.local.aws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for the twin's services. */
public final class Ports {
  private Ports() {}

  /** A port that was free a moment ago; 0 asks for any free one. */
  public static int freeOr(int requested) {
    if (requested != 0) {
      requireFree(requested);
      return requested;
    }
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** Fails with a message naming the port when something already listens on it. */
  public static void requireFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
    } catch (IOException e) {
      throw new IllegalStateException("port " + port + " is already in use", e);
    }
  }
}
