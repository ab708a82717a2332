package io.canary.kubernetes.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * An RFC 6902 JSON Patch naming only the fields the SDK owns. Guarded by the object's resourceVersion
 * (a {@code replace} of it: the API server answers 409 when the object changed since it was read),
 * never by a {@code test} op, which the in-process API server used in tests cannot answer when it fails.
 */
public final class JsonPatch {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private final ArrayNode ops = MAPPER.createArrayNode();
  private int changes;

  /** Starts a patch that applies only to the object at {@code resourceVersion}. */
  public static JsonPatch guardedBy(String resourceVersion) {
    JsonPatch p = new JsonPatch();
    p.op("replace", "/metadata/resourceVersion", MAPPER.getNodeFactory().textNode(resourceVersion));
    p.changes = 0;
    return p;
  }

  /** Adds or replaces the value at {@code path}. */
  public JsonPatch set(String path, Object value) {
    return op("add", path, MAPPER.valueToTree(value));
  }

  public JsonPatch remove(String path) {
    return op("remove", path, null);
  }

  /**
   * Sets annotation {@code key} on an object whose annotations are {@code current} (null when it has
   * none: JSON Patch cannot add a key under a missing map).
   */
  public JsonPatch setAnnotation(Map<String, String> current, String key, String value) {
    if (current == null) {
      return set("/metadata/annotations", Map.of(key, value));
    }
    return set("/metadata/annotations/" + escape(key), value);
  }

  /** Removes annotation {@code key} when {@code current} has it. */
  public JsonPatch removeAnnotation(Map<String, String> current, String key) {
    if (current == null || !current.containsKey(key)) {
      return this;
    }
    return remove("/metadata/annotations/" + escape(key));
  }

  /** True when the patch changes something besides the resourceVersion guard. */
  public boolean changesAnything() {
    return changes > 0;
  }

  @Override
  public String toString() {
    return ops.toString();
  }

  /** A JSON Pointer token for a map key ({@code canary.io/revision} becomes {@code canary.io~1revision}). */
  public static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private JsonPatch op(String op, String path, JsonNode value) {
    ObjectNode o = ops.addObject();
    o.put("op", op);
    o.put("path", path);
    if (value != null) {
      o.set("value", value);
    }
    changes++;
    return this;
  }
}
