package io.canary.testing.internal;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/** fabric8's CRUD mock API server over plain HTTP, answering through an {@link ObservingDispatcher}. */
public final class MockApiServer {
  /** The mock server logs every request at INFO; thousands a run would cost more than the run. */
  private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");

  static {
    MOCK_SERVER_LOG.setLevel(Level.WARNING);
  }

  private MockApiServer() {}

  public static KubernetesMockServer start(ObservingDispatcher dispatcher) {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        dispatcher, false);
    server.init();
    return server;
  }
}
