package io.canary.kubernetes;

import io.canary.client.FieldManager;
import io.canary.core.CanaryException;
import io.canary.core.ConflictException;
import io.canary.core.RolloutKey;
import io.canary.core.spi.TargetClaims;
import io.canary.core.spi.TargetKey;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One release per target workload through a ConfigMap per target, {@code canary-claim-<kind>-<name>}
 * in the target's namespace, holding the rollout that claimed it ({@code rollout}) and when
 * ({@code claimedAt}). It carries {@link CanaryLabels#forRollout} of that rollout and
 * {@link CanaryLabels#TARGET_CLAIM}{@code =true}.
 *
 * <p>Every change is guarded by the API server: a claim is created (refused with 409 when another
 * runner created it first), replaced or claimed again by an update carrying the resourceVersion read
 * (refused once anyone else wrote), and given up by a delete under the same precondition. A runner
 * that loses such a race reads the claim again and answers with the winner. The verbs are those
 * {@link ConfigMapStateStore} already needs (get, create, update, delete on ConfigMaps).
 *
 * <pre>{@code
 * TargetClaims claims = ConfigMapTargetClaims.create(client, "shop"); // targets in namespace shop
 * }</pre>
 */
public final class ConfigMapTargetClaims implements TargetClaims {
  public static final String ROLLOUT_KEY = "rollout";
  public static final String CLAIMED_AT_KEY = "claimedAt";
  private static final String PREFIX = "canary-claim-";
  /** Lost races in a row before giving up; each one means another runner changed the claim meanwhile. */
  private static final int ATTEMPTS = 5;

  private final KubernetesClient client;
  private final Set<String> namespaces;

  private ConfigMapTargetClaims(KubernetesClient client, Set<String> namespaces) {
    this.client = FieldManager.client(Objects.requireNonNull(client, "client"));
    this.namespaces = namespaces;
  }

  /** Claims of targets in {@code namespaces} (a namespaced Role suffices); other targets are refused. */
  public static ConfigMapTargetClaims create(KubernetesClient client, String... namespaces) {
    if (namespaces.length == 0) {
      throw new IllegalArgumentException("name the namespace (or namespaces) whose targets are claimed");
    }
    return new ConfigMapTargetClaims(client, Set.copyOf(Arrays.asList(namespaces)));
  }

  /** The ConfigMap that holds the claim on {@code target}. */
  public static String configMapName(TargetKey target) {
    return PREFIX + target.kind().toLowerCase(Locale.ROOT) + "-" + target.name();
  }

  @Override
  public Optional<Claim> claim(TargetKey target, RolloutKey rollout, Instant now, Predicate<Claim> stale) {
    requireScoped(target, rollout);
    var configMaps = client.configMaps().inNamespace(target.namespace());
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      ConfigMap current = configMaps.withName(configMapName(target)).get();
      Optional<Claim> held = current == null ? Optional.empty() : Optional.of(read(current, target));
      if (held.isPresent() && !held.get().rollout().equals(rollout) && !stale.test(held.get())) {
        return held;
      }
      ConfigMap next = claimMap(target, rollout, now, current);
      try {
        if (current == null) {
          configMaps.resource(next).create();
        } else {
          // Carries current's resourceVersion: refused with 409 if another runner wrote since our read.
          configMaps.resource(next).update();
        }
        return Optional.empty();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT && e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
          throw e;
        }
        // Another runner created, changed or gave up the claim since our read: read it again.
      }
    }
    throw new ConflictException("the claim on " + target + " in " + where(target) + " kept changing under "
        + rollout + " (" + ATTEMPTS + " attempts); try again");
  }

  @Override
  public Optional<Claim> holder(TargetKey target) {
    ConfigMap current = client.configMaps().inNamespace(target.namespace()).withName(configMapName(target)).get();
    return current == null ? Optional.empty() : Optional.of(read(current, target));
  }

  @Override
  public void release(TargetKey target, RolloutKey rollout) {
    requireScoped(target, rollout);
    var resource = client.configMaps().inNamespace(target.namespace()).withName(configMapName(target));
    ConfigMap current = resource.get();
    if (current == null || !read(current, target).rollout().equals(rollout)) {
      return;
    }
    try {
      // The precondition keeps a claim another rollout took since our read.
      resource.lockResourceVersion(current.getMetadata().getResourceVersion()).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT && e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e;
      }
    }
  }

  private static ConfigMap claimMap(TargetKey target, RolloutKey rollout, Instant now, ConfigMap current) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(configMapName(target))
        .withNamespace(target.namespace())
        .withResourceVersion(current == null ? null : current.getMetadata().getResourceVersion())
        .withLabels(CanaryLabels.forRollout(rollout.name())).addToLabels(CanaryLabels.TARGET_CLAIM, "true")
        .endMetadata()
        .withData(Map.of(ROLLOUT_KEY, rollout.name(), CLAIMED_AT_KEY, now.toString()))
        .build();
  }

  private static Claim read(ConfigMap cm, TargetKey target) {
    Map<String, String> labels = cm.getMetadata().getLabels();
    Map<String, String> data = cm.getData();
    if (labels == null || !"true".equals(labels.get(CanaryLabels.TARGET_CLAIM)) || data == null
        || data.get(ROLLOUT_KEY) == null || data.get(CLAIMED_AT_KEY) == null) {
      throw new CanaryException(where(target) + " exists but is not a claim written by the Canary SDK (label "
          + CanaryLabels.TARGET_CLAIM + "=true, entries '" + ROLLOUT_KEY + "' and '" + CLAIMED_AT_KEY
          + "'); it is left alone: rename it");
    }
    return new Claim(RolloutKey.of(target.namespace(), data.get(ROLLOUT_KEY)), Instant.parse(data.get(CLAIMED_AT_KEY)));
  }

  private void requireScoped(TargetKey target, RolloutKey rollout) {
    if (!namespaces.contains(target.namespace())) {
      throw new CanaryException("Rollout " + rollout + ": its target " + target + " is outside the namespaces "
          + namespaces.stream().sorted().toList() + " these claims were made for (ConfigMapTargetClaims.create)");
    }
  }

  private static String where(TargetKey target) {
    return "ConfigMap " + target.namespace() + "/" + configMapName(target);
  }
}
