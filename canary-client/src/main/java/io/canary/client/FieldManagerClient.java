package io.canary.client;

import io.fabric8.kubernetes.client.impl.BaseClient;
import io.fabric8.kubernetes.client.impl.KubernetesClientImpl;

/**
 * fabric8's client, sharing everything with the one it comes from (configuration, credentials,
 * serialization, task executor, the set of watches to close) except the HTTP client: a client derived
 * from the host's ({@code HttpClient.newBuilder()}: the same connection pool) with the
 * {@link FieldManagerInterceptor} added. Copies fabric8 makes of it ({@code inNamespace}, extension
 * clients such as Istio's) keep that HTTP client.
 */
final class FieldManagerClient extends KubernetesClientImpl {
  private final String fieldManager;

  FieldManagerClient(BaseClient host, String fieldManager) {
    super(host);
    this.fieldManager = fieldManager;
    this.httpClient = host.getHttpClient().newBuilder()
        .addOrReplaceInterceptor(FieldManagerInterceptor.NAME, new FieldManagerInterceptor(fieldManager))
        .build();
    pointContextHere();
  }

  private FieldManagerClient(FieldManagerClient source) {
    super(source);
    this.fieldManager = source.fieldManager;
    pointContextHere();
  }

  /** A context copied from the host still names the host's client, whose HTTP client has no interceptor. */
  private void pointContextHere() {
    if (getOperationContext() != null) {
      operationContext(getOperationContext().withClient(this));
    }
  }

  String fieldManager() {
    return fieldManager;
  }

  @Override
  protected KubernetesClientImpl copy() {
    return new FieldManagerClient(this);
  }

  /**
   * Closes nothing: the HTTP client, executor and watches are the host's (fabric8's derived HTTP clients
   * share the closed state of the one they come from), and the host closes its client.
   */
  @Override
  public void close() {
    // The host's client is the host's to close.
  }

  @Override
  public String toString() {
    return "KubernetesClient(fieldManager=" + fieldManager + ", " + getMasterUrl() + ")";
  }
}
