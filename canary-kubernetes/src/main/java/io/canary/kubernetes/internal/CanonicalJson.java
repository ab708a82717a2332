package io.canary.kubernetes.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * JSON that is the same for equal objects in every process and library version: keys sorted at every
 * level, null and empty values dropped. Used for revision hashes and canonical forms of settings.
 *
 * <p>Not an API: public for canary-hpa only, and it may change in any release.
 */
public final class CanonicalJson {
  private CanonicalJson() {}

  /** {@code value} (a Kubernetes model object, say) as canonical JSON text; {@code ""} when it is empty. */
  public static String of(Object value) {
    JsonNode tree = canonical(JsonPatch.MAPPER.valueToTree(value));
    try {
      return tree == null ? "" : JsonPatch.MAPPER.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /** The same tree with object keys sorted and null or empty values removed; null when it is empty. */
  static JsonNode canonical(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      Collections.sort(names);
      ObjectNode sorted = JsonPatch.MAPPER.createObjectNode();
      for (String name : names) {
        JsonNode value = canonical(node.get(name));
        if (value != null) {
          sorted.set(name, value);
        }
      }
      return sorted.isEmpty() ? null : sorted;
    }
    if (node.isArray()) {
      ArrayNode array = JsonPatch.MAPPER.createArrayNode();
      for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
        JsonNode value = canonical(it.next());
        array.add(value == null ? JsonPatch.MAPPER.createObjectNode() : value);
      }
      return array.isEmpty() ? null : array;
    }
    return node;
  }
}
