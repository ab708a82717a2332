package io.canary.cli.internal;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Optional;

/**
 * Makes the {@link Connection} of a command. The command's own connects as kubectl does: {@code --kubeconfig}
 * (else {@code KUBECONFIG}, else {@code ~/.kube/config}, else the in-cluster service account) and
 * {@code --context}; tests hand in the simulated cluster's client instead.
 */
@FunctionalInterface
public interface Connector {
  Connection connect(CliArgs args);

  static Connector kubeconfig() {
    return args -> {
      Config config;
      if (args.kubeconfig().isPresent()) {
        try {
          config = Config.fromKubeconfig(args.context().orElse(null), Files.readString(args.kubeconfig().get()),
              args.kubeconfig().get().toString());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read --kubeconfig " + args.kubeconfig().get(), e);
        }
      } else {
        config = Config.autoConfigure(args.context().orElse(null));
      }
      return new Connection(new KubernetesClientBuilder().withConfig(config).build(), Optional.empty(), true);
    };
  }
}
