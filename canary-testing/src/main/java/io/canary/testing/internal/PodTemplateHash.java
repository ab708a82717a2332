package io.canary.testing.internal;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;

/**
 * The {@code pod-template-hash} of a pod template, in the shape Kubernetes gives it: a 32-bit
 * FNV-1a digest written with the consonant-and-digit alphabet of {@code rand.SafeEncodeString}.
 * The digest is taken over the template's JSON (fabric8 writes fields in a fixed order), so the
 * same template always gets the same hash, in every run.
 */
public final class PodTemplateHash {
  private static final char[] ALPHABET = "bcdfghjklmnpqrstvwxz2456789".toCharArray();

  private PodTemplateHash() {}

  public static String of(PodTemplateSpec template, KubernetesSerialization serialization) {
    return encode(fnv1a(serialization.asJson(template)));
  }

  /** A short deterministic suffix for names, as Kubernetes' generated pod names have. */
  public static String suffix(String seed, int length) {
    String e = encode(fnv1a(seed));
    StringBuilder out = new StringBuilder(e);
    while (out.length() < length) {
      out.append(encode(fnv1a(out.toString())));
    }
    return out.substring(0, length);
  }

  static int fnv1a(String text) {
    int hash = 0x811c9dc5;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= (b & 0xff);
      hash *= 0x01000193;
    }
    return hash;
  }

  private static String encode(int hash) {
    String digits = Integer.toUnsignedString(hash);
    StringBuilder out = new StringBuilder(digits.length());
    for (char c : digits.toCharArray()) {
      out.append(ALPHABET[c % ALPHABET.length]);
    }
    return out.toString();
  }
}
