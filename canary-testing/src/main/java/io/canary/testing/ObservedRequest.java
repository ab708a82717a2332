package io.canary.testing;

import java.time.Instant;

/**
 * One request the simulated API server answered, in the order it arrived.
 *
 * @param at the virtual time it arrived
 * @param method HTTP method, for example {@code PATCH}
 * @param path path and query, for example {@code /apis/apps/v1/namespaces/ns/deployments/web}
 * @param body the request body, empty when none
 * @param status the HTTP status the server answered
 * @param bySimulator true for the simulated controllers' own requests
 */
public record ObservedRequest(Instant at, String method, String path, String body, int status, boolean bySimulator) {

  /** True for a request that changes something (anything but GET, HEAD and OPTIONS). */
  public boolean isWrite() {
    return !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
  }

  /** True for a write made by the code under test (not by the simulated controllers). */
  public boolean isWriteUnderTest() {
    return isWrite() && !bySimulator;
  }

  @Override
  public String toString() {
    return at + " " + method + " " + path + " -> " + status + (bySimulator ? " (simulator)" : "");
  }
}
