package io.canary.istio;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The openAPIV3Schema of one version of an Istio CRD from scenarios/istio-crds.yaml, and a check of
 * an object's spec against its structure: types (integers are integers), required fields, and fields
 * the schema does not know (a real API server would prune them).
 */
final class CrdSchema {
  private final Map<String, Object> schema;

  private CrdSchema(Map<String, Object> schema) {
    this.schema = schema;
  }

  @SuppressWarnings("unchecked")
  static CrdSchema of(String crdName, String version) {
    String text;
    try {
      text = Files.readString(Path.of("..", "scenarios", "istio-crds.yaml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    KubernetesSerialization serialization = new KubernetesSerialization();
    for (String document : text.split("(?m)^---\\s*$")) {
      if (!document.contains("name: " + crdName)) {
        continue;
      }
      Map<String, Object> crd = serialization.unmarshal(document, Map.class);
      if (!crdName.equals(Trees.get(crd, "metadata", "name"))) {
        continue;
      }
      for (Object v : (List<Object>) Trees.get(crd, "spec", "versions")) {
        Map<String, Object> entry = (Map<String, Object>) v;
        if (version.equals(entry.get("name"))) {
          return new CrdSchema((Map<String, Object>) Trees.get(entry, "schema", "openAPIV3Schema"));
        }
      }
    }
    throw new IllegalArgumentException("no CRD " + crdName + " version " + version + " in istio-crds.yaml");
  }

  /** Every place where {@code object}'s spec breaks the schema; empty when it fits. */
  @SuppressWarnings("unchecked")
  List<String> violations(Map<String, Object> object) {
    List<String> out = new ArrayList<>();
    check(object.get("spec"), (Map<String, Object>) Trees.get(schema, "properties", "spec"), "spec", out);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void check(Object value, Map<String, Object> schema, String path, List<String> out) {
    if (Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields")) && !schema.containsKey("properties")) {
      return;
    }
    String type = (String) schema.get("type");
    if (type == null) {
      return;
    }
    switch (type) {
      case "object" -> {
        if (!(value instanceof Map<?, ?> map)) {
          out.add(path + " must be an object, was " + value);
          return;
        }
        Map<String, Object> properties = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
        Object additional = schema.get("additionalProperties");
        for (Map.Entry<?, ?> field : map.entrySet()) {
          String key = (String) field.getKey();
          if (properties.containsKey(key)) {
            check(field.getValue(), (Map<String, Object>) properties.get(key), path + "." + key, out);
          } else if (additional instanceof Map<?, ?> a) {
            check(field.getValue(), (Map<String, Object>) a, path + "." + key, out);
          } else {
            out.add(path + "." + key + " is not in the schema");
          }
        }
        for (Object required : (List<Object>) schema.getOrDefault("required", List.of())) {
          if (!map.containsKey(required)) {
            out.add(path + "." + required + " is required");
          }
        }
      }
      case "array" -> {
        if (!(value instanceof List<?> list)) {
          out.add(path + " must be an array, was " + value);
          return;
        }
        for (int i = 0; i < list.size(); i++) {
          check(list.get(i), (Map<String, Object>) schema.get("items"), path + "[" + i + "]", out);
        }
      }
      case "integer" -> {
        if (!(value instanceof Integer || value instanceof Long)) {
          out.add(path + " must be an integer, was " + value);
        }
      }
      case "number" -> {
        if (!(value instanceof Number)) {
          out.add(path + " must be a number, was " + value);
        }
      }
      case "string" -> {
        if (!(value instanceof String) && !Boolean.TRUE.equals(schema.get("x-kubernetes-int-or-string"))) {
          out.add(path + " must be a string, was " + value);
        }
      }
      case "boolean" -> {
        if (!(value instanceof Boolean)) {
          out.add(path + " must be a boolean, was " + value);
        }
      }
      default -> out.add(path + " has a schema type this check does not know: " + type);
    }
  }
}
