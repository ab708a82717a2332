package io.canary.gatewayapi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reading and changing objects as the API server returned them, as Jackson trees: fields newer than
 * this client's model are written back untouched.
 */
final class Json {
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Json() {}

  /** The object field {@code field} of {@code parent}, made when absent (and {@code parent} is an object). */
  static ObjectNode object(ObjectNode parent, String field) {
    JsonNode child = parent.get(field);
    if (child instanceof ObjectNode existing) {
      return existing;
    }
    return parent.putObject(field);
  }

  /** The objects of the array {@code field} of {@code parent}, in order; anything else is skipped. */
  static List<ObjectNode> objects(JsonNode parent, String field) {
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode item : parent.path(field)) {
      if (item instanceof ObjectNode o) {
        out.add(o);
      }
    }
    return out;
  }

  /** A text field, empty when absent or not text. */
  static Optional<String> text(JsonNode parent, String field) {
    JsonNode value = parent.path(field);
    return value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
  }

  /** A text field, {@code fallback} when absent. */
  static String text(JsonNode parent, String field, String fallback) {
    return text(parent, field).orElse(fallback);
  }

  static ArrayNode array(List<? extends JsonNode> items) {
    ArrayNode array = NODES.arrayNode();
    items.forEach(array::add);
    return array;
  }

  /**
   * Equal trees, numbers compared by value: a watch and a read may hand over the same number as
   * another type (an int and a long).
   */
  static boolean same(JsonNode a, JsonNode b) {
    return a.equals((x, y) -> x.equals(y) || (x.isNumber() && y.isNumber() && x.decimalValue().compareTo(y.decimalValue()) == 0) ? 0 : 1, b);
  }

  /** {@code metadata.generation}, 0 when the server set none. */
  static long generation(JsonNode object) {
    return object.path("metadata").path("generation").asLong(0);
  }
}
