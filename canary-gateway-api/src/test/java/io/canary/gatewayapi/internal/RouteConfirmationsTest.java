package io.canary.gatewayapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.RoutingConfirmation.State;
import io.canary.core.spi.RoutingState;
import io.canary.gatewayapi.RouteKind;
import io.canary.gatewayapi.RouteRef;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The confirmation of one route from its status, as a Gateway API implementation writes it. */
class RouteConfirmationsTest {
  static final KubernetesSerialization JSON = new KubernetesSerialization();
  static final RouteFields FIELDS = new RouteFields(new RouteKey(RouteKind.HTTP_ROUTE, "nsa", "appa"), RouteRef.http("appa", "api"),
      "nsa", "appa-stable", "appa-canary", Set.of());
  static final RoutingState AT_20 = RoutingState.builder().canaryWeight(20).build();

  /** The route at generation 3, weights 80/20, with parents written as the user wrote them (no group or kind). */
  static ObjectNode route(String statusParents) {
    return JSON.unmarshal("""
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
         "metadata": {"name": "appa", "namespace": "nsa", "generation": 3},
         "spec": {"parentRefs": [{"name": "public", "sectionName": "http"}, {"group": "", "kind": "Service", "name": "appa", "port": 80}],
                  "rules": [{"name": "api", "backendRefs": [{"name": "appa-stable", "port": 80, "weight": 80},
                                                            {"name": "appa-canary", "port": 80, "weight": 20}]}]},
         "status": {"parents": [%s]}}
        """.formatted(statusParents), ObjectNode.class);
  }

  /** A status entry as a real server returns it: the parentRef with group and kind defaulted. */
  static String parent(String ref, String accepted, String resolved, long generation) {
    return """
        {"controllerName": "istio.io/gateway-controller", "parentRef": %s,
         "conditions": [%s, %s]}""".formatted(ref, condition("Accepted", accepted, generation), condition("ResolvedRefs", resolved, generation));
  }

  static String condition(String type, String status, long generation) {
    String reason = status.equals("True") ? type : type.equals("Accepted") ? "NotAllowedByListeners" : "BackendNotFound";
    return """
        {"type": "%s", "status": "%s", "reason": "%s", "message": "%s is %s", "observedGeneration": %d}"""
        .formatted(type, status, reason, type, status, generation);
  }

  static final String GATEWAY = "{\"group\": \"gateway.networking.k8s.io\", \"kind\": \"Gateway\", \"name\": \"public\", \"sectionName\": \"http\"}";
  static final String SERVICE = "{\"group\": \"\", \"kind\": \"Service\", \"namespace\": \"nsa\", \"name\": \"appa\", \"port\": 80}";

  private static RoutingConfirmation confirm(String statusParents) {
    return RouteConfirmations.of(FIELDS, Optional.of(route(statusParents)), Optional.of(AT_20));
  }

  @Test
  void everyParentTrueForTheCurrentGenerationConfirmsAndDefaultedRefsMatchTheUsersRefs() {
    assertThat(confirm(parent(GATEWAY, "True", "True", 3) + "," + parent(SERVICE, "True", "True", 3)))
        .isEqualTo(RoutingConfirmation.confirmed());
  }

  @Test
  void aWatchThatHandsOverWeightsAsLongsStillShowsTheAppliedWeights() {
    ObjectNode route = route(parent(GATEWAY, "True", "True", 3) + "," + parent(SERVICE, "True", "True", 3));
    ((ObjectNode) route.at("/spec/rules/0/backendRefs/0")).put("weight", 80L);
    ((ObjectNode) route.at("/spec/rules/0/backendRefs/1")).put("weight", 20L);

    assertThat(RouteConfirmations.of(FIELDS, Optional.of(route), Optional.of(AT_20))).isEqualTo(RoutingConfirmation.confirmed());
  }

  @Test
  void aLaterGenerationCountsTooAnEarlierOneDoesNot() {
    assertThat(confirm(parent(GATEWAY, "True", "True", 4) + "," + parent(SERVICE, "True", "True", 3)).state()).isEqualTo(State.CONFIRMED);
    RoutingConfirmation stale = confirm(parent(GATEWAY, "True", "True", 2) + "," + parent(SERVICE, "True", "True", 3));
    assertThat(stale.state()).isEqualTo(State.PENDING);
    assertThat(stale.message()).isEqualTo("HTTPRoute nsa/appa generation 3 is not confirmed by every parent yet:"
        + " Gateway nsa/public (sectionName http) has judged generation 2 only (Accepted=True)");
  }

  @Test
  void aParentWithoutAnEntryIsWaitedFor() {
    RoutingConfirmation pending = confirm(parent(GATEWAY, "True", "True", 3));
    assertThat(pending.state()).isEqualTo(State.PENDING);
    assertThat(pending.message()).endsWith("Service nsa/appa port 80 has written no status for the route");
  }

  @Test
  void unresolvedReferencesRefuseWithTheParentsReasonAndMessage() {
    RoutingConfirmation refused = confirm(parent(GATEWAY, "True", "True", 3) + "," + parent(SERVICE, "True", "False", 3));
    assertThat(refused.state()).isEqualTo(State.REFUSED);
    assertThat(refused.reason()).isEqualTo("BackendNotFound");
    assertThat(refused.message()).isEqualTo("HTTPRoute nsa/appa generation 3 is refused:"
        + " Service nsa/appa port 80 says ResolvedRefs=False, reason BackendNotFound: ResolvedRefs is False");
  }

  @Test
  void aRefusalOfAnEarlierGenerationIsNotHeldAgainstTheNewOne() {
    assertThat(confirm(parent(GATEWAY, "False", "True", 2) + "," + parent(SERVICE, "True", "True", 3)).state()).isEqualTo(State.PENDING);
  }

  @Test
  void aRouteThatDoesNotCarryTheAppliedWeightYetIsPendingAndAnUnseenOneToo() {
    RoutingConfirmation notYet = RouteConfirmations.of(FIELDS, Optional.of(route(parent(GATEWAY, "True", "True", 3))),
        Optional.of(RoutingState.builder().canaryWeight(40).build()));
    assertThat(notYet.reason()).isEqualTo("WriteNotSeen");
    assertThat(RouteConfirmations.of(FIELDS, Optional.empty(), Optional.of(AT_20)).reason()).isEqualTo("RouteNotSeen");
  }

  @Test
  void oneRefusedRouteRefusesAllAndOnePendingKeepsAllPending() {
    RoutingConfirmation refused = RoutingConfirmation.refused("NotAllowedByListeners", "no");
    RoutingConfirmation pending = RoutingConfirmation.pending("AwaitingRouteStatus", "later");
    assertThat(RouteConfirmations.all(List.of(pending, refused))).isEqualTo(refused);
    assertThat(RouteConfirmations.all(List.of(RoutingConfirmation.confirmed(), pending)).state()).isEqualTo(State.PENDING);
    assertThat(RouteConfirmations.all(List.of(RoutingConfirmation.confirmed()))).isEqualTo(RoutingConfirmation.confirmed());
  }
}
