package io.canary.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.examples.bench.ManyRollouts;
import io.canary.examples.bench.RequestCounts;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ManyRollouts' kubeconfig mode, end to end at a tiny size, against an in-process API server named by a
 * kubeconfig file: where no real cluster exists, this is what proves the path.
 */
class ManyRolloutsKubeconfigTest {
  private static final Set<String> ISTIO_CRDS = Set.of("virtualservices.networking.istio.io",
      "destinationrules.networking.istio.io");
  /** Held: the in-process server logs every request it answers; java.util.logging keeps loggers weakly. */
  private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");

  static {
    MOCK_SERVER_LOG.setLevel(Level.WARNING);
  }

  private final ServerSide serverSide = new ServerSide();
  private KubernetesMockServer server;
  private KubernetesClient admin;

  @BeforeEach
  void startServer() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), serverSide, false);
    server.init();
    admin = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(server.url("/"))
        .withRequestRetryBackoffLimit(0).build()).withHttpClientBuilderConsumer(b -> b.preferHttp11()).build();
  }

  @AfterEach
  void stopServer() {
    admin.close();
    server.destroy();
  }

  @Test
  void runsEveryRolloutOnTheKubeconfigsServerCountsTheRunnersRequestsAndDeletesItsNamespaces(@TempDir Path dir)
      throws Exception {
    installIstioCrds();
    Path kubeconfig = kubeconfig(dir);

    ManyRollouts.Result result = ManyRollouts.run(ManyRollouts.Options.parse("3", "1", "1", "0", "15",
        "--kubeconfig=" + kubeconfig, "--context=bench-mock", "--simulate-readiness"));

    assertThat(result.succeeded()).isEqualTo(3);
    assertThat(result.namespaces()).singleElement().satisfies(ns -> {
      assertThat(ns).matches("bench-[a-z0-9]{5}-0");
      assertThat(admin.namespaces().withName(ns).get()).as("namespace %s deleted at the end", ns).isNull();
      // The in-process server does not delete a namespace's objects with it: they show where the run went.
      assertThat(admin.apps().deployments().inNamespace(ns).withName("app-2").get().getSpec().getTemplate().getSpec()
          .getContainers().get(0).getImage()).isEqualTo("registry.k8s.io/pause:3.10");
    });

    RequestCounts requests = result.requests();
    assertThat(requests.phases()).containsExactly("setup", "start", "waiting", "run", "after");
    // Three weight changes a rollout (20, 50, and all traffic on stable at promotion), each one routing write.
    assertThat(requests.count("run", "PUT virtualservices") + requests.count("run", "PATCH virtualservices"))
        .isEqualTo(9);
    assertThat(requests.total("WATCH deployments")).isPositive();
    // The runner's client only: the readiness controller's status writes and the set-up are not its requests.
    assertThat(requests.total("PUT deployments/status")).isZero();
    assertThat(requests.total("POST namespaces") + requests.total("DELETE namespaces")).isZero();
    assertThat(serverSide.byRunner("PUT deployments/status")).isZero();
    assertThat(serverSide.byOthers("PUT deployments/status")).isPositive();
    // What the server received from the runner: every write as counted; reads at least as counted (the JDK
    // client may send a GET again on a connection the server closed).
    for (String kind : serverSide.runnerKinds()) {
      long counted = requests.total(kind);
      if (kind.startsWith("GET ") || kind.startsWith("LIST ") || kind.startsWith("WATCH ")) {
        assertThat(serverSide.byRunner(kind)).as(kind).isGreaterThanOrEqualTo(counted).isPositive();
        assertThat(counted).as(kind).isPositive();
      } else {
        assertThat(counted).as(kind).isEqualTo(serverSide.byRunner(kind));
      }
    }
    assertThat(requests.wholeRun()).isPositive();
  }

  @Test
  void withoutIstiosCrdsItSaysWhichAreMissingAndCreatesNothing(@TempDir Path dir) throws Exception {
    Path kubeconfig = kubeconfig(dir);

    assertThatThrownBy(() -> ManyRollouts.run(ManyRollouts.Options.parse("3", "1", "--kubeconfig=" + kubeconfig,
        "--context=bench-mock")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("virtualservices.networking.istio.io (no such CustomResourceDefinition)")
        .hasMessageContaining("destinationrules.networking.istio.io (no such CustomResourceDefinition)")
        .hasMessageContaining("scenarios/istio-crds.yaml")
        .hasMessageContaining("Nothing was created");
    assertThat(admin.namespaces().list().getItems()).isEmpty();
    assertThat(admin.apps().deployments().inAnyNamespace().list().getItems()).isEmpty();
  }

  @Test
  void theOptionsKeepThePlainNumbersInTheirOrderAndSayWhatIsWrong() {
    ManyRollouts.Options o = ManyRollouts.Options.parse("100", "--kubeconfig=/tmp/k", "5", "--image=pause:a",
        "--canary-image=pause:b");
    assertThat(o.rollouts()).isEqualTo(100);
    assertThat(o.namespaces()).isEqualTo(5);
    assertThat(o.quietSeconds()).isEqualTo(10);
    assertThat(o.kubeconfig()).contains(Path.of("/tmp/k"));
    assertThat(o.image()).isEqualTo("pause:a");
    assertThat(ManyRollouts.Options.parse().kubeconfig()).isEmpty();

    assertThatThrownBy(() -> ManyRollouts.Options.parse("--kubconfig=/tmp/k"))
        .hasMessageContaining("unknown option --kubconfig=/tmp/k");
    assertThatThrownBy(() -> ManyRollouts.Options.parse("10", "many")).hasMessageContaining("namespaces must be a whole"
        + " number, was 'many'");
    assertThatThrownBy(() -> ManyRollouts.Options.parse("--simulate-readiness"))
        .hasMessageContaining("--simulate-readiness is for --kubeconfig mode");
    assertThatThrownBy(() -> ManyRollouts.Options.parse("--context=prod")).hasMessageContaining("give --kubeconfig=PATH");
    assertThatThrownBy(() -> ManyRollouts.Options.parse("--kubeconfig=/tmp/k", "--image=a", "--canary-image=a"))
        .hasMessageContaining("--canary-image must differ from --image (a)");
  }

  @Test
  void aContextTheKubeconfigDoesNotHaveIsNamed(@TempDir Path dir) throws Exception {
    Path kubeconfig = kubeconfig(dir);

    assertThatThrownBy(() -> ManyRollouts.run(ManyRollouts.Options.parse("--kubeconfig=" + kubeconfig,
        "--context=prod")))
        .hasMessageContaining("--context=prod: kubeconfig " + kubeconfig + " has no such context; it has [bench-mock,"
            + " elsewhere]");
    assertThatThrownBy(() -> ManyRollouts.run(ManyRollouts.Options.parse("--kubeconfig=" + dir.resolve("none"))))
        .hasMessageContaining("--kubeconfig=" + dir.resolve("none") + ": no such file");
  }

  /**
   * Two contexts: the current one names a port nothing listens on, so the run reaches the in-process
   * server only when it honours {@code --context}.
   */
  private Path kubeconfig(Path dir) throws Exception {
    Path file = dir.resolve("kubeconfig");
    Files.writeString(file, """
        apiVersion: v1
        kind: Config
        current-context: elsewhere
        clusters:
        - name: elsewhere
          cluster:
            server: http://127.0.0.1:9
        - name: mock
          cluster:
            server: %s
        contexts:
        - name: elsewhere
          context:
            cluster: elsewhere
            user: bench
        - name: bench-mock
          context:
            cluster: mock
            user: bench
            namespace: default
        users:
        - name: bench
          user:
            token: not-checked-by-the-in-process-server
        """.formatted(server.url("/")));
    return file;
  }

  /** The two CRDs of the repository's scenarios/istio-crds.yaml that the benchmark uses, as a user would apply them. */
  private void installIstioCrds() throws Exception {
    Path dir = Path.of("").toAbsolutePath();
    Path crds = null;
    for (int i = 0; i < 4 && dir != null && crds == null; i++, dir = dir.getParent()) {
      Path candidate = dir.resolve("scenarios").resolve("istio-crds.yaml");
      crds = Files.isRegularFile(candidate) ? candidate : null;
    }
    assertThat(crds).as("scenarios/istio-crds.yaml from " + Path.of("").toAbsolutePath()).isNotNull();
    try (InputStream in = Files.newInputStream(crds)) {
      for (HasMetadata crd : admin.load(in).items()) {
        if (ISTIO_CRDS.contains(crd.getMetadata().getName())) {
          admin.resource(crd).create();
        }
      }
    }
  }

  /** The CRUD API server, counting what it receives from the runner's client (told by its User-Agent) and from others. */
  private static final class ServerSide extends KubernetesCrudDispatcher {
    private final Map<String, LongAdder> runner = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> others = new ConcurrentHashMap<>();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String agent = request.getHeader("User-Agent");
      String kind = RequestCounts.classify(request.getMethod(), URI.create(request.getPath()));
      (agent != null && agent.startsWith("canary-bench-runner") ? runner : others)
          .computeIfAbsent(kind, k -> new LongAdder()).increment();
      return super.dispatch(request);
    }

    Set<String> runnerKinds() {
      return runner.keySet();
    }

    long byRunner(String kind) {
      LongAdder n = runner.get(kind);
      return n == null ? 0 : n.sum();
    }

    long byOthers(String kind) {
      LongAdder n = others.get(kind);
      return n == null ? 0 : n.sum();
    }
  }
}
