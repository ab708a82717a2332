package io.canary.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Role users apply (src/main/resources/rbac/canary-runner-role.yaml), and what an API server would
 * make of a request under it: which resource and verb the request needs.
 */
final class RunnerRole {
  static final Path FILE = Path.of("src", "main", "resources", "rbac", "canary-runner-role.yaml");

  /** What one request needs: {@code apps deployments patch}. */
  record Access(String group, String resource, String verb) {
    @Override
    public String toString() {
      return (group.isEmpty() ? "core" : group) + " " + resource + " " + verb;
    }
  }

  private final Role role;

  private RunnerRole(Role role) {
    this.role = role;
  }

  static RunnerRole load(KubernetesClient client) throws IOException {
    String yaml = Files.readString(FILE).replace("RUNNER_NAMESPACE", "canary").replace("NAMESPACE", "shop");
    List<HasMetadata> objects = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    return new RunnerRole(objects.stream().filter(Role.class::isInstance).map(Role.class::cast).findFirst().orElseThrow());
  }

  boolean allows(Access access) {
    return role.getRules().stream().anyMatch(r -> r.getApiGroups().contains(access.group())
        && r.getResources().contains(access.resource()) && r.getVerbs().contains(access.verb()));
  }

  /** Records, for each request a client sends, the access it needs. */
  static final class Recorder implements Interceptor {
    final List<Access> accesses = new CopyOnWriteArrayList<>();

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
      accesses.add(access(request.method(), request.uri()));
    }
  }

  /** How the API server names a request: GET on a collection is list, with watch=true it is watch. */
  static Access access(String method, URI uri) {
    List<String> parts = new ArrayList<>(List.of(uri.getPath().substring(1).split("/")));
    String group;
    if (parts.get(0).equals("api")) {
      group = "";
      parts = parts.subList(2, parts.size());
    } else {
      group = parts.get(1);
      parts = parts.subList(3, parts.size());
    }
    if (parts.size() >= 2 && parts.get(0).equals("namespaces")) {
      parts = parts.subList(2, parts.size());
    }
    String resource = parts.get(0) + (parts.size() > 2 ? "/" + parts.get(2) : "");
    boolean named = parts.size() > 1;
    String query = uri.getQuery() == null ? "" : uri.getQuery();
    String verb = switch (method) {
      case "GET" -> named ? "get" : Set.of(query.split("&")).contains("watch=true") ? "watch" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> named ? "delete" : "deletecollection";
      default -> method.toLowerCase(java.util.Locale.ROOT);
    };
    return new Access(group, resource, verb);
  }
}
