package io.canary.kubernetes.internal;

import io.canary.kubernetes.CanaryLabels;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

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
      byte[] canonical = JsonPatch.MAPPER.writeValueAsBytes(CanonicalJson.canonical(tree));
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
      return HexFormat.of().formatHex(digest).substring(0, LENGTH);
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash pod template", e);
    }
  }
}
