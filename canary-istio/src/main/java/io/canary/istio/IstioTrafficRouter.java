package io.canary.istio;

import io.canary.client.FieldManager;
import io.canary.core.CanarySpec;
import io.canary.core.Problem;
import io.canary.core.RolloutKey;
import io.canary.core.spi.RenderedObject;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.RoutingState;
import io.canary.core.spi.TrafficRouter;
import io.canary.istio.internal.Reconciliation;
import io.canary.istio.internal.Router;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A {@link TrafficRouter} over Istio VirtualServices and DestinationRules (subset strategy) or a
 * stable and a canary Service (service strategy). It changes only the fields it owns: the weights of
 * the stable and canary destinations of the managed routes, the managed header and mirror routes, and
 * the label keys it adds to subsets or selectors. Each object is read and written at the API version
 * it is served at, with at most one write per object per change, guarded by its resourceVersion, and
 * none when the object already carries the change.
 *
 * <p>The objects are read from informers (one per kind, API version and namespace the router's
 * rollouts use, shared by all of them; they need the list and watch verbs): the steady state sends no
 * GET. A write is built on the cached copy, or on the copy the router's own last write returned while
 * the informer has not caught up with it; a 409 (someone else wrote it since) is answered by one GET
 * and the owned fields set again on the fresh copy. An object no informer holds yet is read once with
 * a GET, and so is one the cached copy of which does not fit the rollout, before that is reported.
 *
 * <pre>{@code
 * TrafficRouter router = IstioTrafficRouter.create(kubernetesClient);
 * TrafficRouter patient = IstioTrafficRouter.builder(kubernetesClient).conflictRetries(10).build();
 * IstioTrafficRouter confirming = IstioTrafficRouter.builder(kubernetesClient).confirmReconciled(true).build();
 * }</pre>
 */
public final class IstioTrafficRouter implements TrafficRouter, AutoCloseable {
  /** How often a write that met a concurrent edit is re-read and re-applied before giving up. */
  public static final int DEFAULT_CONFLICT_RETRIES = 5;

  private final Router router;
  private final Optional<Reconciliation> reconciliation;
  /** The rollouts this router has written the VirtualServices of: their confirmation is of what it wrote. */
  private final Set<RolloutKey> written = ConcurrentHashMap.newKeySet();
  private final boolean watchDrift;

  private IstioTrafficRouter(Builder builder) {
    this.router = new Router(builder.client, builder.conflictRetries, builder.addMissingCanaryDestinations);
    this.reconciliation = builder.confirmReconciled ? Optional.of(new Reconciliation(router)) : Optional.empty();
    this.watchDrift = builder.watchDrift;
  }

  /** A router with the default options, over the host's client (which picks the HTTP implementation). */
  public static IstioTrafficRouter create(KubernetesClient client) {
    return builder(client).build();
  }

  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  @Override
  public List<Problem> validate(CanarySpec spec) {
    return router.validate(spec);
  }

  /**
   * @throws io.canary.core.CanaryValidationException when an object no longer fits the rollout (nothing written)
   * @throws io.canary.core.CanaryException when concurrent edits outlast the conflict retries
   */
  @Override
  public void apply(CanarySpec spec, RoutingState desired) {
    router.apply(spec, desired);
    written.add(spec.key());
  }

  /**
   * The weights as the router's informers hold them (or its own last write, while they have not caught
   * up with it): a change by someone else shows once the watch has delivered it.
   *
   * @throws io.canary.core.CanaryValidationException when a VirtualService or one of its managed routes
   *     no longer fits the rollout (the problems say what changed)
   */
  @Override
  public List<RouteWeight> currentWeights(CanarySpec spec) {
    return router.currentWeights(spec);
  }

  /**
   * With {@link Builder#confirmReconciled(boolean)}: confirmed once every VirtualService the watch shows
   * carries {@code applied} and istiod reports its generation {@code Reconciled}; refused when Istio's
   * analysis reports an ERROR on it (the message names the codes, IST0101 and the like); pending
   * otherwise. Without it (the default), confirmed at once. VirtualServices this router has not written
   * for the rollout yet (a runner that resumed it, after another died between a write and its status
   * save) are judged as they are: their status only.
   */
  @Override
  public RoutingConfirmation confirmation(CanarySpec spec, RoutingState applied) {
    Optional<RoutingState> written = this.written.contains(spec.key()) ? Optional.of(applied) : Optional.empty();
    return reconciliation.map(r -> r.confirmation(spec, written)).orElseGet(RoutingConfirmation::confirmed);
  }

  /**
   * The weights of the rollout's VirtualServices after every change of one of them, from the router's
   * informers (one per namespace and API version, shared by the router's rollouts and its reads). Off
   * with {@link Builder#watchDrift(boolean)}.
   */
  @Override
  public AutoCloseable watchRouting(CanarySpec spec, Consumer<List<RouteWeight>> onChange) {
    return watchDrift ? router.watchWeights(spec, onChange) : () -> {};
  }

  /** With {@link Builder#confirmReconciled(boolean)}: {@code onChange} runs after every change of the rollout's VirtualServices. */
  @Override
  public AutoCloseable watchConfirmation(CanarySpec spec, Runnable onChange) {
    return reconciliation.map(r -> r.watch(spec, onChange)).orElse(() -> {});
  }

  /** Stops the informers the reads, the drift watch and {@link Builder#confirmReconciled(boolean)} use. */
  @Override
  public void close() {
    router.close();
  }

  /** Every routing object of the rollout as {@link #apply} would leave it, in write order. */
  @Override
  public List<RenderedObject> render(CanarySpec spec, RoutingState desired) {
    return router.render(spec, desired);
  }

  /** Options of an {@link IstioTrafficRouter}. */
  public static final class Builder {
    private final KubernetesClient client;
    private int conflictRetries = DEFAULT_CONFLICT_RETRIES;
    private boolean addMissingCanaryDestinations;
    private boolean confirmReconciled;
    private boolean watchDrift = true;

    private Builder(KubernetesClient client) {
      this.client = FieldManager.client(Objects.requireNonNull(client, "client"));
    }

    /** Re-reads after a conflicting write before the change fails; at least 0 (default 5). */
    public Builder conflictRetries(int retries) {
      if (retries < 0) {
        throw new IllegalArgumentException("conflictRetries must be at least 0, was " + retries);
      }
      this.conflictRetries = retries;
      return this;
    }

    /**
     * When a managed route has the stable destination but no canary one (a VirtualService that sends
     * everything to v1, as most do before their first canary), add the canary destination with weight
     * 0 right after the stable one, in the same write as the first weight change, instead of refusing
     * the rollout. It stays after the rollout (with the weight the rollout ended at). Default: off, the
     * route must name both destinations.
     */
    public Builder addMissingCanaryDestinations(boolean add) {
      this.addMissingCanaryDestinations = add;
      return this;
    }

    /**
     * Count a weight as applied only once istiod reports the VirtualService's generation
     * {@code Reconciled} (its status feature on: {@code PILOT_ENABLE_STATUS=true}), watching the
     * VirtualServices for it; an ERROR of Istio's analysis in their status refuses the change.
     * Default: off, a weight counts as applied once written (istiod writes no status by default).
     */
    public Builder confirmReconciled(boolean confirm) {
      this.confirmReconciled = confirm;
      return this;
    }

    /**
     * Watch the rollout's VirtualServices so that weights changed by someone else are seen while the
     * rollout waits (reported, then put back or the rollout pauses, by its drift policy). Default: on.
     * Off, such a change is seen only by a runner that resumes the rollout, and the next step writes
     * over it.
     */
    public Builder watchDrift(boolean watch) {
      this.watchDrift = watch;
      return this;
    }

    public IstioTrafficRouter build() {
      return new IstioTrafficRouter(this);
    }
  }
}
