package io.canary.testing.internal;

import io.canary.testing.ObservedRequest;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * fabric8's CRUD dispatcher, observed: every request is recorded once the store has answered it,
 * before the answer goes back. So when a write returns to the code under test, the simulation
 * already knows about it; that is what lets the controllers react at the same virtual instant.
 */
public final class ObservingDispatcher extends KubernetesCrudDispatcher {
  private final List<ObservedRequest> requests = new ArrayList<>();
  private final Supplier<Instant> clock;
  private final Consumer<ObservedRequest> onRequest;

  private final Quiescence quiescence;

  public ObservingDispatcher(Supplier<Instant> clock, Quiescence quiescence, Consumer<ObservedRequest> onRequest) {
    this.clock = clock;
    this.quiescence = quiescence;
    this.onRequest = onRequest;
  }

  /** Watches get a socket that counts the events sent (see {@link Quiescence}). */
  @Override
  public MockResponse handleWatch(String path) {
    MockResponse response = super.handleWatch(path);
    if (response.getWebSocketListener() != null) {
      response.withWebSocketUpgrade(new CountedWatchSocket(response.getWebSocketListener(), quiescence));
    }
    return response;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    // Read before the store does: reading the body consumes it.
    String body = request.getBody() == null ? "" : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
    MockResponse response = super.dispatch(request);
    String agent = request.getHeader("User-Agent");
    ObservedRequest observed = new ObservedRequest(clock.get(), request.getMethod(), request.getPath(),
        body, response.code(),
        agent != null && agent.startsWith(SimulatorClients.USER_AGENT));
    synchronized (requests) {
      requests.add(observed);
    }
    onRequest.accept(observed);
    return response;
  }

  /** A copy of every request so far. */
  public List<ObservedRequest> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }
}
