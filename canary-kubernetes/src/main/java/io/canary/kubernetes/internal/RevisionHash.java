package io.canary.kubernetes.internal;

import io.canary.kubernetes.CanaryLabels;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * The revision hash of a pod template: the first 10 hex digits of the SHA-256 of its canonical JSON
 * (keys sorted at every level, empty values dropped), leaving out the labels the SDK and the Deployment
 * controller add. The same template gives the same hash in every run and process, so a resumed runner
 * finds its canary again; like pod-template-hash, but computable before any ReplicaSet exists.
 */
public final class RevisionHash {
  private static final int LENGTH = 10;

  private RevisionHash() {}

  public static String of(PodTemplateSpec template) {
    JsonNode tree = JsonPatch.MAPPER.valueToTree(template);
    if (tree instanceof ObjectNode root && root.get("metadata") instanceof ObjectNode metadata
        && metadata.get("labels") instanceof ObjectNode labels) {
      labels.remove(CanaryLabels.REVISION);
      labels.remove(CanaryLabels.POD_TEMPLATE_HASH);
    }
    try {
      byte[] canonical = JsonPatch.MAPPER.writeValueAsBytes(canonical(tree));
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
      return HexFormat.of().formatHex(digest).substring(0, LENGTH);
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash pod template", e);
    }
  }

  /** The same tree with object keys sorted and null or empty values removed; null when it is empty. */
  private static JsonNode canonical(JsonNode node) {
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
