package io.canary.testing.internal;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;

/** Builds the clients of a simulated cluster: JDK HTTP, no retries, short timeouts. */
public final class SimulatorClients {
  /** Marks the simulator's own requests, so that they are not mistaken for the code under test. */
  public static final String USER_AGENT = "canary-testing-simulator";
  /** Marks the clients handed to the code under test, whose watch events the simulation counts. */
  static final String USER_CLIENT_AGENT = "canary-testing-client";

  private SimulatorClients() {}

  /**
   * A client for the code under test. Its watch messages are counted and its informer callbacks
   * run on {@code quiescence}, so the simulation knows when the events it caused have been handled.
   */
  public static KubernetesClient forUsers(String masterUrl, Quiescence quiescence) {
    return new KubernetesClientBuilder()
        .withConfig(config(masterUrl).withUserAgent(USER_CLIENT_AGENT).build())
        .withHttpClientFactory(CountingHttpClients.factory(quiescence))
        // The in-process API server speaks HTTP/1.1: no h2c upgrade, whose rare races it answers wrongly
        // (seen as "protocol error: Frame type(110) ... exceeds MAX_FRAME_SIZE").
        .withHttpClientBuilderConsumer(b -> b.preferHttp11())
        .withTaskExecutor(quiescence)
        .build();
  }

  /**
   * A client for the code under test whose requests go through {@code interceptor} (named {@code
   * name}), for fault injection: its informers re-list and watch again 10 ms after a failure (doubling
   * on the next ones), so that a failed watch costs little real time while the virtual clock runs.
   */
  public static KubernetesClient forUsers(String masterUrl, Quiescence quiescence, String name, Interceptor interceptor) {
    return new KubernetesClientBuilder()
        .withConfig(config(masterUrl).withUserAgent(USER_CLIENT_AGENT).withWatchReconnectInterval(10).build())
        .withHttpClientFactory(CountingHttpClients.factory(quiescence))
        .withHttpClientBuilderConsumer(b -> b.preferHttp11().addOrReplaceInterceptor(name, interceptor))
        .withTaskExecutor(quiescence)
        .build();
  }

  /** The client the controllers write with. */
  public static KubernetesClient forSimulator(String masterUrl) {
    return new KubernetesClientBuilder()
        .withConfig(config(masterUrl).withUserAgent(USER_AGENT).build())
        .withHttpClientFactory(new JdkHttpClientFactory())
        .withHttpClientBuilderConsumer(b -> b.preferHttp11())
        .build();
  }

  private static ConfigBuilder config(String masterUrl) {
    // A request the mock never answers (a failing JSON-Patch test op, for one) fails in seconds.
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(masterUrl)
        .withNamespace("default")
        .withRequestRetryBackoffLimit(0)
        .withRequestTimeout(5_000)
        .withConnectionTimeout(5_000);
  }
}
