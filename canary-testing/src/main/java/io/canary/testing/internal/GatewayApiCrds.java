package io.canary.testing.internal;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Gateway API v1.6.1 CRDs (standard channel) the simulated cluster serves: HTTPRoute, GRPCRoute,
 * Gateway, GatewayClass and ReferenceGrant, copied from the Gateway API release into this module's
 * resources. Registering them makes the API server keep a route's status when its spec is written
 * (the status subresource), as a real server does. Parsed once per JVM.
 */
public final class GatewayApiCrds {
  private static final List<String> FILES = List.of("httproutes", "grpcroutes", "gateways", "gatewayclasses", "referencegrants");
  private static volatile List<CustomResourceDefinition> parsed;

  private GatewayApiCrds() {}

  public static void install(KubernetesClient client) {
    for (CustomResourceDefinition crd : definitions(client.getKubernetesSerialization())) {
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
  }

  /** The definitions, parsed on first use (the HTTPRoute CRD alone is 430 kB of YAML). */
  public static List<CustomResourceDefinition> definitions(KubernetesSerialization serialization) {
    List<CustomResourceDefinition> known = parsed;
    if (known == null) {
      synchronized (GatewayApiCrds.class) {
        if (parsed == null) {
          List<CustomResourceDefinition> out = new ArrayList<>();
          for (String file : FILES) {
            out.add(serialization.unmarshal(read(file), CustomResourceDefinition.class));
          }
          parsed = List.copyOf(out);
        }
        known = parsed;
      }
    }
    return known;
  }

  private static String read(String file) {
    String name = "/io/canary/testing/gateway-api/gateway.networking.k8s.io_" + file + ".yaml";
    try (InputStream in = GatewayApiCrds.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("canary-testing lacks its resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + name, e);
    }
  }
}
