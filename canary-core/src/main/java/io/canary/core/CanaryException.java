package io.canary.core;

/** Base of every exception the SDK throws; unchecked, like fabric8's. */
public class CanaryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CanaryException(String message) {
    super(message);
  }

  public CanaryException(String message, Throwable cause) {
    super(message, cause);
  }
}
