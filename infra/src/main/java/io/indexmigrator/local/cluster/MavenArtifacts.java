package io.indexmigrator.local.cluster;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

/**
 * Fetches engine artifacts the way Maven itself would: through the user's local repository, so a
 * zip downloaded once by any build is reused, and from Maven Central (or a mirror) otherwise.
 */
final class MavenArtifacts {

  static final String CENTRAL = "https://repo.maven.apache.org/maven2/";

  /** A resolved jar, with the coordinates needed to tell it apart from the engine's own jars. */
  record Jar(String groupId, String artifactId, String version, Path file) {}

  private final Path localRepository;
  private final RemoteRepository remote;
  private final RepositorySystem system;

  MavenArtifacts(Path localRepository, String remoteUrl) {
    this.localRepository = localRepository;
    this.remote = new RemoteRepository.Builder("central", "default", remoteUrl).build();
    this.system = new RepositorySystemSupplier().get();
  }

  /**
   * Uses {@code -Dmaven.repo.local}, then env {@code MAVEN_REPO_LOCAL}, then {@code
   * ~/.m2/repository}; the remote is env {@code MIGRATOR_MAVEN_REMOTE} or Maven Central.
   */
  static MavenArtifacts fromEnvironment() {
    return new MavenArtifacts(localRepository(System.getenv()), remoteUrl(System.getenv()));
  }

  static Path localRepository(Map<String, String> env) {
    String property = System.getProperty("maven.repo.local");
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    String fromEnv = env.get("MAVEN_REPO_LOCAL");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    return Path.of(System.getProperty("user.home"), ".m2", "repository");
  }

  static String remoteUrl(Map<String, String> env) {
    String override = env.get("MIGRATOR_MAVEN_REMOTE");
    return override == null || override.isBlank() ? CENTRAL : override;
  }

  /**
   * Resolves one artifact, e.g. {@code
   * org.opensearch.distribution.integ-test-zip:opensearch:zip:2.19.6}.
   */
  Path resolve(String coordinates) {
    ArtifactRequest request =
        new ArtifactRequest(new DefaultArtifact(coordinates), List.of(remote), null);
    try {
      return system.resolveArtifact(newSession(), request).getArtifact().getFile().toPath();
    } catch (ArtifactResolutionException e) {
      throw new IllegalStateException(notFound(coordinates, e), e);
    }
  }

  /** Resolves a jar together with everything it needs at runtime, the jar itself first. */
  List<Jar> resolveWithDependencies(String coordinates) {
    CollectRequest collect =
        new CollectRequest(
            new Dependency(new DefaultArtifact(coordinates), JavaScopes.RUNTIME), List.of(remote));
    DependencyRequest request =
        new DependencyRequest(collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
    try {
      return system.resolveDependencies(newSession(), request).getArtifactResults().stream()
          .map(r -> r.getArtifact())
          .map(MavenArtifacts::toJar)
          .toList();
    } catch (DependencyResolutionException e) {
      throw new IllegalStateException(notFound(coordinates, e), e);
    }
  }

  private String notFound(String coordinates, Exception e) {
    return "could not resolve "
        + coordinates
        + " from "
        + remote.getUrl()
        + " (local repository "
        + localRepository
        + "): "
        + e.getMessage();
  }

  private static Jar toJar(Artifact a) {
    return new Jar(a.getGroupId(), a.getArtifactId(), a.getVersion(), a.getFile().toPath());
  }

  private DefaultRepositorySystemSession newSession() {
    DefaultRepositorySystemSession session = MavenRepositorySystemUtils.newSession();
    session.setLocalRepositoryManager(
        system.newLocalRepositoryManager(session, new LocalRepository(localRepository.toFile())));
    return session;
  }
}
